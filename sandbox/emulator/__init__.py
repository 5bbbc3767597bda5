"""An in-memory incident.io API for tests, benchmarks and the bot's sandbox mode.

    emulator = create_emulator()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app),
                               base_url="https://api.incident.io",
                               headers={"Authorization": "Bearer sandbox-key"})

Every request is checked against incident.io's schema (`sandbox.spec`), and so is every
answer. `emulator.faults` injects errors, latency and hangs; `/_emulator/*` does the same over HTTP.
"""

from sandbox.emulator.app import Emulator, create_emulator
from sandbox.emulator.clock import Clock, ManualClock
from sandbox.emulator.faults import FaultRule, Faults
from sandbox.emulator.ratelimit import RateLimiter
from sandbox.emulator.stats import RequestRecord, Stats
from sandbox.emulator.store import Store

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
