"""The sandbox on loopback: the incident.io emulator, a fake Slack and the bot, over real HTTP.

The bot runs exactly as in production HTTP mode (`build_app` + `create_web_app` on uvicorn); only
its two upstreams are local. A `SlackDriver` plays the person, POSTing signed requests to the
bot's `/slack/events` the way Slack would.

    with SandboxStack() as stack:
        await stack.driver.command("declare Checkout down")
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import threading
import time
from types import TracebackType
from typing import Any

import httpx

from bot import inflight
from bot.app import Bot, build_app
from bot.config import Settings
from bot.incidentio.client import IncidentIoClient
from bot.reminders.schedule import ReminderSettings
from bot.server import create_web_app
from bot.store_api import MemoryStore
from sandbox.driver import SlackDriver, SlackResponse
from sandbox.emulator import Emulator, create_emulator
from sandbox.fake_slack import FakeSlack
from sandbox.serving import BackgroundServer

API_KEY = "sandbox-key"
BOT_TOKEN = "xoxb-sandbox"  # noqa: S105 - the fake workspace's made-up token
REQUEST_TIMEOUT = 15.0
_POLL = 0.02


class SandboxStack:
    """Emulator, fake Slack and bot, each on a 127.0.0.1 port. A context manager.

    Ports 0 pick free ones. `settings` holds extra Settings fields (tests use it). `reminders`
    replaces what REMINDER_* would give: intervals of seconds, below the setting's floor.
    """

    def __init__(
        self,
        *,
        bot_port: int = 0,
        emulator_port: int = 0,
        sandbox: bool = True,
        log_level: str = "warning",
        settings: dict[str, Any] | None = None,
        custom_fields: bool = False,
        reminders: ReminderSettings | None = None,
    ) -> None:
        self.emulator: Emulator = create_emulator(api_key=API_KEY, custom_fields=custom_fields)
        self.fake = FakeSlack(bot_token=BOT_TOKEN)
        # The organisation's people are members of the workspace, by first name: `@ada` is a
        # mention there, as it is in Slack (`/incident lead INC-1 @ada`).
        for user in self.emulator.store.catalog.users:
            if user.get("slack_user_id") and user.get("is_active"):
                first = str(user["name"]).split()[0].lower()
                profile = {"display_name": first, "real_name": user["name"]}
                self.fake.directory.add_user(user["slack_user_id"], name=first, profile=profile)
        # Generated per run: nothing outside this process can sign requests to the bot.
        self.signing_secret = secrets.token_hex(32)
        # And its incident.io webhooks: the emulator signs what it sends the bot with this.
        self.webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        self._bot_port, self._emulator_port = bot_port, emulator_port
        self._sandbox, self._log_level = sandbox, log_level
        self._extra = dict(settings or {})
        self._reminders = reminders
        self._emulator_server: BackgroundServer | None = None
        self._slack_server: BackgroundServer | None = None
        self._bot_server: BackgroundServer | None = None
        self._bot: Bot | None = None
        self._settings: Settings | None = None
        self.driver = SlackDriver(self.fake, self.signing_secret, self.post)

    # -- where things are ------------------------------------------------------------------

    @property
    def emulator_url(self) -> str:
        return _running(self._emulator_server).url

    @property
    def slack_url(self) -> str:
        return _running(self._slack_server).url

    @property
    def bot_url(self) -> str:
        return _running(self._bot_server).url

    @property
    def events_url(self) -> str:
        return f"{self.bot_url}/slack/events"

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            raise RuntimeError("the sandbox is not running")
        return self._bot

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("the sandbox is not running")
        return self._settings

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SandboxStack:
        try:
            self._emulator_server = self._serve(self.emulator.app, port=self._emulator_port)
            self._slack_server = self._serve(self.fake.app)
            self.fake.base_url = self._slack_server.url
            self._settings = self._make_settings()
            # The emulator's incidents end with the stack, so must the record of their cards.
            self._bot = build_app(
                self._settings, IncidentIoClient.from_settings(self._settings), store=MemoryStore()
            )
            if self._reminders is not None:  # read when the server starts its reminder loop
                self._bot.deps.reminders = self._reminders
            self._bot_server = self._serve(create_web_app(self._bot), port=self._bot_port)
            # Changes made in the emulator (the bot's, and those made "outside": :outside)
            # reach the bot as incident.io's webhooks reach it.
            webhooks = f"{self._bot_server.url}/incidentio/webhooks"
            self.emulator.webhooks.configure(webhooks, self.webhook_secret)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the bot first (its shutdown finishes in-flight work), then its upstreams."""
        if self._bot_server is not None:
            self._bot_server.stop()
        # The two upstreams are independent: stopping them side by side halves the wait.
        upstreams = [s for s in (self._slack_server, self._emulator_server) if s is not None]
        threads = [threading.Thread(target=server.stop) for server in upstreams]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self._bot_server = self._slack_server = self._emulator_server = None

    def __enter__(self) -> SandboxStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, app: Any, port: int = 0) -> BackgroundServer:
        return BackgroundServer(app, port=port, log_level=self._log_level).start()

    def _make_settings(self) -> Settings:
        values: dict[str, Any] = {
            "incidentio_api_key": API_KEY,
            "incidentio_base_url": self.emulator_url,
            "incidentio_sandbox": self._sandbox,
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": self.signing_secret,
            "incidentio_webhook_secret": self.webhook_secret,
            "slack_app_token": None,
            "slack_api_url": self.fake.api_url,
            "health_port": None,
            **self._extra,
        }
        return Settings(_env_file=None, **values)

    # -- talking to the bot ----------------------------------------------------------------

    async def post(self, body: str, headers: dict[str, str]) -> SlackResponse:
        """What Slack does with an interaction: POST it to the bot's request URL."""
        # A client per request: callers may run each interaction in a fresh event loop.
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as client:
            response = await client.post(self.events_url, content=body, headers=headers)
        return SlackResponse(response.status_code, response.text)

    def activity(self) -> int:
        """A number that grows whenever the bot calls Slack or incident.io."""
        return len(self.fake.calls) + self.emulator.stats.total

    async def settle(self, quiet: float = 0.1, timeout: float = 5.0) -> bool:  # noqa: ASYNC109
        """Wait until the bot has finished its background work and has called neither Slack
        nor incident.io for `quiet` seconds. False on `timeout`.

        The bot answers Slack first and carries on in the background (opening modals,
        posting results); a person sees the result only once that is done.
        """
        deadline = time.monotonic() + timeout
        seen, since = self.activity(), time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(_POLL)
            now_seen = self.activity()
            if now_seen != seen or _bot_busy() or self._webhooks_pending():
                seen, since = now_seen, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return True
        return False

    def _webhooks_pending(self) -> bool:
        """A webhook the emulator has not had an answer to yet: the bot acts on it (the card
        rewritten) before it answers, so the change is not done until it has."""
        hooks = self.emulator.webhooks
        return bool(hooks.url) and any(d.status is None for d in hooks.deliveries)


def _bot_busy() -> bool:
    """Whether listener work the bot kept running after an ack is still going.

    The bot runs in this process (in the uvicorn thread); its in-flight set is what its own
    shutdown drains. Reading it from here is only ever a hint: settle() also waits for quiet.
    """
    return bool(inflight.running())


def _running(server: BackgroundServer | None) -> BackgroundServer:
    if server is None:
        raise RuntimeError("the sandbox is not running")
    return server
