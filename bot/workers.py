"""`serve --http --workers N`: N processes answering on one port.

The parent binds the port, then forks N workers; each builds its own bot (its own event loop,
Slack session, incident.io client, caches and store connections) and accepts from the shared
socket. The parent only forwards SIGTERM/SIGINT to them and waits: each worker drains its
in-flight interactions as a single process does. A worker that dies is not replaced; the exit
status says so.

What is shared is the store: the SQLite file (file locks, a busy timeout) or PostgreSQL. The
caches are per process: each worker loads the catalog once and refreshes it as one process does.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType

from bot import probe as probe_file
from bot.app import Bot

log = logging.getLogger("bot.workers")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket the workers share. IPPROTO_TCP named: asyncio sets TCP_NODELAY only
    on sockets whose proto says TCP (without it a two-part answer can wait 40 ms for an ACK)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve_workers(
    build: Callable[[], Bot],
    serve: Callable[[Bot, socket.socket], None],
    host: str,
    port: int,
    workers: int,
) -> int:
    """Fork `workers` processes that each `serve(build(), sock)`; 0 when all ended cleanly."""
    sock = bind(host, port)
    probe_address = probe_file.record(sock.getsockname()[1])
    children: list[int] = []
    try:
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:  # the worker: nothing of the parent's but the socket and settings
                status = 1
                try:
                    serve(build(), sock)
                    status = 0
                except BaseException:
                    log.exception("worker %d failed", os.getpid())
                finally:
                    os._exit(status)  # never back into the parent's code
            children.append(pid)
        log.info("serving HTTP with %d workers (pids %s)", workers, children)
        return _wait(children)
    finally:
        sock.close()
        probe_file.forget(probe_address)


def _wait(children: list[int]) -> int:
    def forward(signum: int, _frame: FrameType | None) -> None:
        log.info("stopped by %s: stopping the workers", signal.Signals(signum).name)
        for pid in children:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                continue

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    failed = 0
    try:
        for pid in children:
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                failed += 1
                log.error("worker %d exited with status %d", pid, code)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0
