"""The baseline: a bare Bolt AsyncApp on the bot's HTTP stack (Starlette + AsyncSlackRequestHandler
on uvicorn, same settings as bot/server.py). Its /incident listener only acks; with `--modal` it
acks and then opens that fixed modal with one `views.open`, as a hand-written Bolt app would.

    python bench/bare_app.py --port 3100 [--modal view.json]
    (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL)

With `--modal` the Web API client gets one aiohttp session for the life of the server, as the bot
has (bot/slack_session.py): the baseline reuses its connections to Slack too, so the comparison
is of the apps, not of a connection per call.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build(modal: dict[str, Any] | None = None) -> Starlette:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    app = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=False,
    )

    if modal is None:

        @app.command("/incident")
        async def only_ack(ack: AsyncAck) -> None:
            await ack()

    else:

        @app.command("/incident")
        async def ack_and_open(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            await client.views_open(trigger_id=body["trigger_id"], view=modal)

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        response: Response = await handler.handle(request)
        return response

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
        client.session = session
        try:
            yield
        finally:
            await session.close()

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--modal", type=Path, help="a view (JSON) to open on each command")
    args = parser.parse_args()
    modal = json.loads(args.modal.read_text()) if args.modal else None
    config = uvicorn.Config(
        build(modal), host="127.0.0.1", port=args.port, log_config=None, access_log=False
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
