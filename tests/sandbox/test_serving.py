"""BackgroundServer and serve_async: real uvicorn on 127.0.0.1, started and stopped cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sandbox.serving import BackgroundServer, serve_async


class LifespanLog:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.slow_request_arrived = threading.Event()


def make_app(log: LifespanLog, *, fail_startup: bool = False) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if fail_startup:
            raise RuntimeError("startup broke")
        log.events.append("startup")
        yield
        log.events.append("shutdown")

    async def hello(request: Request) -> Response:
        return PlainTextResponse("hello")

    async def slow(request: Request) -> Response:
        log.slow_request_arrived.set()
        await asyncio.sleep(0.3)
        return PlainTextResponse("slow done")

    return Starlette(routes=[Route("/", hello), Route("/slow", slow)], lifespan=lifespan)


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def uvicorn_threads() -> set[threading.Thread]:
    """Server threads; other tests' session-wide servers may be among them."""
    return {t for t in threading.enumerate() if t.name.startswith("uvicorn-")}


def test_serves_on_an_ephemeral_loopback_port_and_stops_cleanly(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    log = LifespanLog()
    caplog.set_level(logging.DEBUG)
    threads_before = uvicorn_threads()
    with BackgroundServer(make_app(log)) as server:
        port = server.port
        assert port > 0
        assert server.url == f"http://127.0.0.1:{port}"
        # start() returned, so the very first connection must be accepted.
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        assert httpx.get(f"{server.url}/").text == "hello"
        assert log.events == ["startup"]
        assert server.running
    assert log.events == ["startup", "shutdown"]
    assert refuses_connections(port)
    assert uvicorn_threads() == threads_before
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "Traceback" not in capfd.readouterr().err


def test_start_and_stop_methods_and_state_errors() -> None:
    server = BackgroundServer(make_app(LifespanLog()))
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    assert server.start() is server
    try:
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
        assert httpx.get(f"{server.url}/").status_code == 200
    finally:
        server.stop()
    server.stop()  # a second stop is a no-op
    assert not server.running
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.port
    # A stopped server can be started again (on a new port).
    with server:
        assert httpx.get(f"{server.url}/").text == "hello"


def test_stop_lets_a_request_in_flight_finish() -> None:
    log = LifespanLog()
    server = BackgroundServer(make_app(log)).start()
    results: list[str] = []
    client = threading.Thread(target=lambda: results.append(httpx.get(f"{server.url}/slow").text))
    client.start()
    assert log.slow_request_arrived.wait(5)
    server.stop()
    client.join(5)
    assert results == ["slow done"]


def test_a_failed_startup_raises_instead_of_hanging() -> None:
    threads_before = uvicorn_threads()
    server = BackgroundServer(make_app(LifespanLog(), fail_startup=True), startup_timeout=5)
    with pytest.raises(RuntimeError, match="failed to start"):
        server.start()
    assert not server.running
    assert uvicorn_threads() == threads_before


async def test_serve_async_runs_in_the_current_loop() -> None:
    log = LifespanLog()
    sigint_before = signal.getsignal(signal.SIGINT)
    async with serve_async(make_app(log)) as url:
        port = int(url.rsplit(":", 1)[1])
        assert url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/")).text == "hello"
        # The host process keeps its own signal handling.
        assert signal.getsignal(signal.SIGINT) is sigint_before
        assert log.events == ["startup"]
    assert log.events == ["startup", "shutdown"]
    assert refuses_connections(port)


async def test_serve_async_startup_failure_is_an_exception_not_an_exit() -> None:
    with pytest.raises(RuntimeError, match="failed to start"):
        async with serve_async(make_app(LifespanLog(), fail_startup=True)):
            pytest.fail("the body must not run")
