"""Serve an ASGI app on uvicorn, on a loopback port, beside the code that talks to it.

`BackgroundServer` runs the server in a thread with its own event loop (for sync code and for
tests whose event loop must not be shared with the server); `serve_async` runs it as a task
in the running loop. Both bind the socket before starting uvicorn, so port 0 gives a real,
known port with no race, and both return only once the server accepts connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

Lifespan = Literal["on", "off", "auto"]
_POLL_SECONDS = 0.005


class _Server(uvicorn.Server):
    """uvicorn without its SIGINT/SIGTERM handlers: the embedding process owns its signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class PortTaken(OSError):
    """A port another process holds; its text names it."""


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it every answer on a reused connection waited 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortTaken(error.errno, f"port {port} on {host} is already in use") from None
        raise
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(app: ASGIApp, host: str, log_level: str, lifespan: Lifespan, grace: float) -> _Server:
    config = uvicorn.Config(
        app,
        host=host,
        log_level=log_level,
        lifespan=lifespan,
        # Leave the process's logging setup alone; uvicorn's records reach the root logger.
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=max(1, round(grace)),
    )
    return _Server(config)


class BackgroundServer:
    """An ASGI app served by uvicorn in a daemon thread.

    >>> with BackgroundServer(app) as server:
    ...     httpx.get(f"{server.url}/healthz")
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        lifespan: Lifespan = "on",
        startup_timeout: float = 10.0,
        shutdown_timeout: float = 5.0,
    ) -> None:
        self._app, self._host, self._requested_port = app, host, port
        self._log_level, self._lifespan = log_level, lifespan
        self._startup_timeout, self._shutdown_timeout = startup_timeout, shutdown_timeout
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._exit_code: object = None

    @property
    def port(self) -> int:
        if self._port is None or self._thread is None:
            raise RuntimeError("the server is not running")
        return self._port

    @property
    def url(self) -> str:
        """ "http://127.0.0.1:PORT", without a trailing slash."""
        return _url(self._host, self.port)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> BackgroundServer:
        """Start serving; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        sock = _bind(self._host, self._requested_port)
        self._port = sock.getsockname()[1]
        self._exit_code = None
        server = _server(
            self._app, self._host, self._log_level, self._lifespan, self._shutdown_timeout
        )
        thread = threading.Thread(
            target=self._run, args=(server, sock), name=f"uvicorn-{self._port}", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not thread.is_alive():
                self._thread = None
                raise RuntimeError(f"the server failed to start (exit code {self._exit_code})")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the server did not start in {self._startup_timeout}s")
            time.sleep(_POLL_SECONDS)
        return self

    def stop(self) -> None:
        """Shut down gracefully (open requests finish) and join the thread. Idempotent."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(self._shutdown_timeout + 1)
        if thread.is_alive():
            server.force_exit = True
            thread.join(self._shutdown_timeout)
        self._thread = None

    def _run(self, server: _Server, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        except SystemExit as exc:
            # uvicorn exits this way when startup fails (it has logged why); start() reports it.
            self._exit_code = exc.code
        finally:
            sock.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


async def _serve(server: _Server, sock: socket.socket) -> None:
    try:
        await server.serve(sockets=[sock])
    except SystemExit as exc:
        # Letting SystemExit out of a task would stop the whole event loop.
        raise RuntimeError(f"the server failed to start (exit code {exc.code})") from None
    finally:
        sock.close()


@contextlib.asynccontextmanager
async def serve_async(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    lifespan: Lifespan = "on",
    startup_timeout: float = 10.0,
    shutdown_timeout: float = 5.0,
) -> AsyncIterator[str]:
    """Serve `app` in the running event loop; yields its URL once it accepts connections.

    >>> async with serve_async(app) as url: ...
    """
    sock = _bind(host, port)
    url = _url(host, sock.getsockname()[1])
    server = _server(app, host, log_level, lifespan, shutdown_timeout)
    task = asyncio.create_task(_serve(server, sock), name=f"uvicorn {url}")
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if task.done():
                await task
                raise RuntimeError("the server stopped during startup")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server did not start in {startup_timeout}s")
            await asyncio.sleep(_POLL_SECONDS)
        yield url
    finally:
        server.should_exit = True
        if not task.done():
            await task
