"""Transports: HTTP (Starlette on uvicorn) and Socket Mode, over the same Bolt app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator

import aiohttp
import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_sdk.errors import SlackClientError
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import probe as probe_file
from bot.acks import answering
from bot.app import Bot
from bot.client_address import client_address
from bot.deps import Deps
from bot.gate import CLIENT, signed
from bot.heap import freeze_start_up
from bot.http_request import read_request
from bot.inflight import drain
from bot.reminders import loop as reminder_loop
from bot.slack_session import shared_session
from bot.store_api import StoreError
from bot.webhook_endpoint import route_said, webhook_routes

log = logging.getLogger("bot.server")
READY_TIMEOUT = 2.0
DRAIN_SECONDS = 20.0


def probe_routes(deps: Deps) -> list[Route]:
    """/healthz (process up), /readyz (this process can serve; incident.io's reachability is
    reported in it, not required: bot/observability/health.py says why), /metrics."""

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        ready, detail = await deps.health.ready(within=READY_TIMEOUT)
        return JSONResponse(detail, status_code=200 if ready else 503)

    async def metrics(_: Request) -> Response:
        deps.metrics.incidentio_reachable.set(1 if deps.health.reachable else 0)
        body, content_type = deps.metrics.render(
            {"catalog": deps.catalog.counters, "open_incidents": deps.open_incidents.counters}
        )
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
    try:
        await deps.store.close()
    except StoreError as error:
        log.warning("shutdown: %s", error)


def create_web_app(bot: Bot) -> Starlette:
    """POST /slack/events (commands, interactivity, options and events on one URL) and probes."""
    app, deps = bot.app, bot.deps
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
        body = await request.body()
        # Parsed here, not by Bolt's adapter: Bolt's parser mistakes any form body containing
        # "payload" (a command's text, a channel name) for an interactivity payload.
        bolt_request = read_request(body, request.headers, request.url.query)
        if bolt_request is None:  # not UTF-8, broken JSON, a JSON array or string as payload
            return refuse(request, body)
        bolt_request.context[CLIENT] = client_address(request)
        return to_starlette_response(await app.async_dispatch(bolt_request))

    def refuse(request: Request, body: bytes) -> Response:
        # What no listener could read never reaches the app (whose gate verifies what it is
        # given): 401 to the unsigned, 400 to signed bytes that are not a payload.
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        sender = client_address(request)
        if verifier is None or not signed(verifier, body, timestamp, signature):
            log.warning("refused a request whose signature does not verify (from %s)", sender)
            return JSONResponse({"error": "invalid request"}, status_code=401)
        log.warning("refused a signed request whose body cannot be read (from %s)", sender)
        return JSONResponse({"error": "malformed request"}, status_code=400)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with shared_session(app.client):
            warm = asyncio.create_task(deps.health.warm())
            reminders = reminder_loop.start(deps, app.client)
            yield
            warm.cancel()
            if reminders is not None:
                await reminders.stop()
            await _shutdown(deps)

    routes = [Route("/slack/events", events, methods=["POST"]), *probe_routes(deps)]
    return Starlette(routes=[*routes, *webhook_routes(deps, app.client)], lifespan=lifespan)


def serve_http(bot: Bot, host: str, port: int, *, sock: socket.socket | None = None) -> None:
    """Serve on host:port, or on `sock`, a listening socket shared with other workers (whose
    parent records the probe address: bot/workers.py)."""
    web = create_web_app(bot)
    freeze_start_up()
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
    probe_address = probe_file.record(port) if sock is None else None
    try:
        uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
    finally:
        if probe_address is not None:
            probe_file.forget(probe_address)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _stopped(signum: int, _frame: object) -> None:
    log.info("stopped by %s", signal.Signals(signum).name)


async def serve_socket(bot: Bot, app_token: str, health_port: int | None) -> None:
    """Socket Mode: no public URL. Probes, if asked for, on a small HTTP port of their own.

    A stop signal is obeyed at any moment, connected or not: the connection is attempted (and
    re-attempted) in a task that the signal cancels. Ready means connected, too.
    """
    freeze_start_up()
    async with shared_session(bot.app.client):
        await _serve_socket(bot, app_token, health_port)


async def _serve_socket(bot: Bot, app_token: str, health_port: int | None) -> None:
    deps = bot.deps
    handler = AsyncSocketModeHandler(bot.app, app_token)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in _STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    deps.health.add_check("slack_connected", handler.client.is_connected)
    probe: uvicorn.Server | None = None
    probe_task: asyncio.Task[None] | None = None
    probe_address = ""
    if health_port:
        config = uvicorn.Config(
            # incident.io's webhooks reach a Socket Mode bot here (it has no other HTTP port).
            Starlette(routes=[*probe_routes(deps), *webhook_routes(deps, bot.app.client)]),
            host="0.0.0.0",  # noqa: S104 - a container probe comes from outside the container
            port=health_port,
            log_config=None,
            access_log=False,
        )
        probe = uvicorn.Server(config)
        probe_task = asyncio.create_task(probe.serve())
        probe_address = probe_file.record(health_port)
        log.info(
            "serving probes on 0.0.0.0:%d (/healthz, /readyz, /metrics; %s)",
            health_port,
            route_said(deps.settings),
        )
    warm = asyncio.create_task(deps.health.warm())
    reminders = reminder_loop.start(deps, bot.app.client)
    connecting = asyncio.create_task(_connect(handler, stop))
    await stop.wait()
    if reminders is not None:
        await reminders.stop()
    log.info("shutting down: finishing in-flight interactions")
    connecting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await connecting
    if await handler.client.is_connected():
        await handler.disconnect_async()  # type: ignore[no-untyped-call]
    warm.cancel()
    await _shutdown(deps)
    if probe is not None and probe_task is not None:
        probe_file.forget(probe_address)
        probe.should_exit = True
        await probe_task
    await handler.close_async()  # type: ignore[no-untyped-call]


async def _connect(handler: AsyncSocketModeHandler, stop: asyncio.Event) -> None:
    """Connect, retrying with backoff while Slack cannot be reached."""
    delay = 1.0
    while not stop.is_set():
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]
        except (OSError, aiohttp.ClientError, SlackClientError, TimeoutError) as error:
            log.warning("could not connect to Slack (%s); retrying in %.0f s", error, delay)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await stop.wait()
            delay = min(delay * 2, 60.0)
        else:
            log.info("connected to Slack in Socket Mode")
            return
