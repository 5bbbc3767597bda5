"""A lean HTTP/1.1 sender for timing bursts: POSTs over pre-opened keep-alive connections.

httpx spends about a millisecond of CPU on each request, more than the bare Bolt app spends
answering it, so a burst sent through httpx times the sender as much as the app. This sender
writes the request bytes and reads the answer (status line, headers, Content-Length body) with
no more work than that, so the latency it sees is the server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time


class WireError(Exception):
    pass


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
# uvicorn closes a keep-alive connection after 5 s of quiet; reuse only well inside that.
MAX_IDLE = 2.0


class Wire:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._idle: list[tuple[Connection, float]] = []  # with when each was last used

    async def open(self, count: int) -> None:
        """Connect ahead of a burst, so the burst times requests, not TCP handshakes."""
        self._drop_stale()
        while len(self._idle) < count:
            self._idle.append((await self._connect(), time.monotonic()))

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        self._drop_stale()
        reader, writer = self._idle.pop()[0] if self._idle else await self._connect()
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        try:
            status, length, close = _parse_head(await reader.readuntil(b"\r\n\r\n"))
            content = await reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            writer.close()
            raise WireError(f"connection lost: {exc}") from exc
        if close:
            writer.close()
        else:
            self._idle.append(((reader, writer), time.monotonic()))
        return status, content

    async def _connect(self) -> Connection:
        return await asyncio.open_connection(self.host, self.port)

    def _drop_stale(self) -> None:
        now, fresh = time.monotonic(), []
        for connection, used in self._idle:
            if now - used < MAX_IDLE:
                fresh.append((connection, used))
            else:
                connection[1].close()
        self._idle = fresh

    async def aclose(self) -> None:
        for (_, writer), _ in self._idle:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        self._idle.clear()


def _parse_head(raw: bytes) -> tuple[int, int, bool]:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise WireError(f"not an HTTP status line: {lines[0]!r}")
    length, close = None, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection":
            close = value.strip().lower() == "close"
        elif name == "transfer-encoding":
            raise WireError("chunked answers are not expected from these apps")
    if length is None:
        raise WireError("the answer has no Content-Length")
    return int(parts[1]), length, close
