"""An in-memory incident.io API for tests, benchmarks and the bot's sandbox mode.

    emulator = create_emulator()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app),
                               base_url="https://api.incident.io",
                               headers={"Authorization": "Bearer sandbox-key"})

Every request is checked against incident.io's schema (`bot.sandbox.spec`), and so is every
answer. `emulator.faults` injects errors, latency and hangs; `/_emulator/*` does the same over HTTP.
"""

from bot.sandbox.emulator.app import Emulator, create_emulator
from bot.sandbox.emulator.clock import Clock, ManualClock
from bot.sandbox.emulator.faults import FaultRule, Faults
from bot.sandbox.emulator.ratelimit import RateLimiter
from bot.sandbox.emulator.stats import RequestRecord, Stats
from bot.sandbox.emulator.store import Store

__all__ = [
    "Clock",
    "Emulator",
    "FaultRule",
    "Faults",
    "ManualClock",
    "RateLimiter",
    "RequestRecord",
    "Stats",
    "Store",
    "create_emulator",
]
