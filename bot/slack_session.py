"""One HTTP session for the Slack Web API client while the bot serves.

slack_sdk's AsyncWebClient without a `session` opens (and closes) a new aiohttp session, and so
a new connection, for every call: in a burst that was a sixth of the bot's CPU (bench/PROFILE.md).
The session is opened when serving starts, inside the event loop, and closed at shutdown;
nothing is opened at import time or by build_app.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient


@contextlib.asynccontextmanager
async def shared_session(client: AsyncWebClient) -> AsyncIterator[None]:
    """Give `client` one session with connection reuse for as long as this is entered. A client
    that already has a session (one its owner manages) keeps it."""
    if client.session is not None and not client.session.closed:
        yield
        return
    # As slack_sdk's own per-call session: the client's timeout for the whole request.
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
    client.session = session
    try:
        yield
    finally:
        client.session = None
        await session.close()
