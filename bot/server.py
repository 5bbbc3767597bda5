"""Transports: HTTP (Starlette on uvicorn) and Socket Mode, over the same Bolt app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import AsyncIterator

import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.acks import answering
from bot.app import app_deps, signed
from bot.deps import Deps
from bot.observability.interaction import drain

log = logging.getLogger("bot.server")
READY_TIMEOUT = 2.0
DRAIN_SECONDS = 20.0


def probe_routes(deps: Deps) -> list[Route]:
    """/healthz (process up), /readyz (catalog loaded, incident.io reachable), /metrics."""

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        ready, detail = await deps.health.ready(deps, within=READY_TIMEOUT)
        return JSONResponse(detail, status_code=200 if ready else 503)

    async def metrics(_: Request) -> Response:
        body, content_type = deps.metrics.render(deps)
        return Response(body, media_type=content_type)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


async def _shutdown(deps: Deps) -> None:
    left = await drain(DRAIN_SECONDS)
    if left:
        log.warning("shutdown: %d interactions still running were abandoned", left)
    else:
        log.info("shutdown: in-flight interactions finished")
    await deps.incidents.aclose()


def create_web_app(app: AsyncApp) -> Starlette:
    """POST /slack/events (commands, interactivity, options and events on one URL) and probes."""
    handler = AsyncSlackRequestHandler(app)
    deps = app_deps(app)
    secret = deps.settings.slack_signing_secret
    verifier = SignatureVerifier(secret.get_secret_value()) if secret else None

    async def events(request: Request) -> Response:
        deps.acks.enter()
        done = answering()
        try:
            return await answer(request)
        finally:
            deps.acks.leave()
            done.set()

    async def answer(request: Request) -> Response:
        # Verified before Bolt parses the body: Bolt raises on unreadable bodies (bad JSON, not
        # UTF-8), which would answer unsigned requests with a 500 and a traceback.
        body = await request.body()
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        if verifier is None or not signed(verifier, body, timestamp, signature):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            response: Response = await handler.handle(request)
        except ValueError:  # JSON or UTF-8 errors: signed bytes replayed with another content type
            log.info("refused a signed request whose body cannot be read")
            return JSONResponse({"error": "malformed request"}, status_code=400)
        return response

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        warm = asyncio.create_task(deps.health.warm(deps))
        yield
        warm.cancel()
        await _shutdown(deps)

    return Starlette(
        routes=[Route("/slack/events", events, methods=["POST"]), *probe_routes(deps)],
        lifespan=lifespan,
    )


def serve_http(app: AsyncApp, host: str, port: int) -> None:
    web = create_web_app(app)
    config = uvicorn.Config(
        web,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(DRAIN_SECONDS),
    )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again so that the
    # handler installed before it decides the exit status; Python's default one kills the
    # process (status -15). A graceful stop is a clean exit, so the handler set here only logs.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, _stopped) for sig in _STOP_SIGNALS} if main_thread else {}
    try:
        uvicorn.Server(config).run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _stopped(signum: int, _frame: object) -> None:
    log.info("stopped by %s", signal.Signals(signum).name)


async def serve_socket(app: AsyncApp, app_token: str, health_port: int | None) -> None:
    """Socket Mode: no public URL. Probes, if asked for, on a small HTTP port of their own."""
    deps = app_deps(app)
    handler = AsyncSocketModeHandler(app, app_token)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    probe: uvicorn.Server | None = None
    probe_task: asyncio.Task[None] | None = None
    if health_port:
        config = uvicorn.Config(
            Starlette(routes=probe_routes(deps)),
            host="0.0.0.0",  # noqa: S104 - a container probe comes from outside the container
            port=health_port,
            log_config=None,
            access_log=False,
        )
        probe = uvicorn.Server(config)
        probe_task = asyncio.create_task(probe.serve())
    warm = asyncio.create_task(deps.health.warm(deps))
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("connected to Slack in Socket Mode")
    await stop.wait()
    log.info("shutting down: finishing in-flight interactions")
    await handler.disconnect_async()  # type: ignore[no-untyped-call]
    warm.cancel()
    await _shutdown(deps)
    if probe is not None and probe_task is not None:
        probe.should_exit = True
        await probe_task
    await handler.close_async()  # type: ignore[no-untyped-call]
