"""What the measurements talk to: an app under test over HTTP, the emulator's control API, and the
fake Slack's record of the bot's Web API calls."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from sandbox.driver import SlackDriver, SlackResponse
from sandbox.fake_slack import FakeSlack
from sandbox.fake_slack.core import SlackCall

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
API_KEY = "sandbox-key"
BOT_TOKEN = "xoxb-sandbox"
CATALOG_ROUTES = (
    "GET /v1/severities",
    "GET /v1/incident_statuses",
    "GET /v1/incident_types",
    "GET /v2/incident_roles",
)


@dataclass(frozen=True)
class Timed(SlackResponse):
    """A Slack request's answer with when it was sent (monotonic and wall clock) and how long
    the answer took, as the sender saw it."""

    sent: float = 0.0
    sent_wall: float = 0.0
    elapsed: float = 0.0
    trigger_id: str | None = None
    response_url: str | None = None


class Sender:
    """The timing sender process (sender.py), shared by every target."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._lock = asyncio.Lock()

    @classmethod
    async def start(cls, cpus: set[int] | None) -> Sender:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).with_name("sender.py")),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        if cpus:
            os.sched_setaffinity(process.pid, cpus)
        return cls(process)

    async def send(
        self, port: int, requests: list[tuple[str, dict[str, str]]], concurrent: bool
    ) -> list[dict[str, Any]]:
        assert self._process.stdin is not None and self._process.stdout is not None
        message = {
            "port": port,
            "concurrent": concurrent,
            "requests": [{"body": body, "headers": headers} for body, headers in requests],
        }
        async with self._lock:
            self._process.stdin.write(json.dumps(message).encode() + b"\n")
            await self._process.stdin.drain()
            line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the timing sender exited")
        results: list[dict[str, Any]] = json.loads(line)["results"]
        return results

    async def aclose(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        await self._process.wait()


class _Captured:
    """A driver transport that keeps the signed requests instead of sending them."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []

    async def __call__(self, body: str, headers: dict[str, str]) -> SlackResponse:
        self.requests.append((body, headers))
        return SlackResponse(0, "")


class Target:
    """One Slack app under test, reached over HTTP like Slack reaches it.

    Commands whose latency is measured go through the timing sender; `driver` (httpx, in this
    process) plays the rest of a person's part: submitting the modals.
    """

    def __init__(self, url: str, fake: FakeSlack, sender: Sender, pid: int | None = None) -> None:
        self.fake, self.sender, self.pid = fake, sender, pid
        self.port = int(url.rsplit(":", 1)[1])
        self.http = httpx.AsyncClient(base_url=url, timeout=30.0)
        self.driver = SlackDriver(fake, SIGNING_SECRET, self._send_httpx)

    async def _send_httpx(self, body: str, headers: dict[str, str]) -> SlackResponse:
        response = await self.http.post("/slack/events", content=body, headers=headers)
        return SlackResponse(response.status_code, response.text)

    async def commands(self, texts: list[str], *, concurrent: bool) -> list[Timed]:
        """`/incident <text>` for each text, all at once or one after the other, timed."""
        captured = _Captured()
        driver = SlackDriver(self.fake, SIGNING_SECRET, captured)
        for text in texts:
            await driver.command(text)
        results = await self.sender.send(self.port, captured.requests, concurrent)
        return [
            _timed(body, result)
            for (body, _), result in zip(captured.requests, results, strict=True)
        ]

    async def command(self, text: str) -> Timed:
        return (await self.commands([text], concurrent=False))[0]

    async def aclose(self) -> None:
        await self.http.aclose()


def _timed(body: str, result: dict[str, Any]) -> Timed:
    fields = parse_qs(body)
    return Timed(
        status=result["status"],
        body=result["body"],
        sent=result["sent"],
        sent_wall=result["sent_wall"],
        elapsed=result["elapsed"],
        trigger_id=fields.get("trigger_id", [None])[0],
        response_url=fields.get("response_url", [None])[0],
    )


class Emulator:
    """The emulator's /_emulator control API and its request records."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.AsyncClient(base_url=url, timeout=30.0)

    async def state(self, recent: int = 0) -> dict[str, Any]:
        response = await self.http.get("/_emulator/state", params={"recent": str(recent)})
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    async def total(self) -> int:
        return int((await self.state())["requests"])

    async def records_since(self, before_total: int) -> list[dict[str, Any]]:
        """Every request the emulator finished after it had finished `before_total`."""
        state = await self.state(recent=0)
        fresh = int(state["requests"]) - before_total
        if fresh <= 0:
            return []
        records: list[dict[str, Any]] = (await self.state(recent=fresh))["recent"]
        return records

    async def counts(self) -> Counter[str]:
        return Counter((await self.state())["counts"])

    async def faults(self, *rules: dict[str, Any]) -> None:
        response = await self.http.post("/_emulator/faults", json=list(rules))
        response.raise_for_status()

    async def clear_faults(self) -> None:
        (await self.http.delete("/_emulator/faults")).raise_for_status()

    async def rate_limit(self, capacity: int, refill_per_second: float) -> None:
        body = {"capacity": capacity, "refill_per_second": refill_per_second}
        (await self.http.post("/_emulator/rate_limit", json=body)).raise_for_status()

    async def api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Call the emulated incident.io API itself (to seed incidents)."""
        headers = {"Authorization": f"Bearer {API_KEY}"}
        response = await self.http.request(method, path, headers=headers, **kwargs)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def aclose(self) -> None:
        await self.http.aclose()


def views_opened(fake: FakeSlack) -> dict[str, SlackCall]:
    """trigger_id -> the views.open call that used it."""
    return {str(c.args.get("trigger_id")): c for c in fake.calls_to("views.open")}


async def wait_views_open(
    fake: FakeSlack, triggers: set[str], timeout: float = 15.0, poll: float = 0.002
) -> dict[str, SlackCall]:
    """Poll the fake Slack until a views.open arrived for every trigger (or the time is up).
    The times are the fake's own records, so `poll` only says how soon this notices."""
    deadline = time.monotonic() + timeout
    while True:
        opened = views_opened(fake)
        if triggers <= opened.keys() or time.monotonic() > deadline:
            return {t: opened[t] for t in triggers if t in opened}
        await asyncio.sleep(poll)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
