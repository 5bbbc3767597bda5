"""`serve --http --workers 2`: two processes answer on one port, each a whole bot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx

from sandbox.driver import SlackDriver, SlackResponse
from tests.e2e.botproc import BotProcess
from tests.e2e.conftest import Upstreams


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


async def _idle(pids: list[int], timeout: float = 10.0) -> None:
    """Until no worker uses CPU for 0.3 s (each warms its own caches at start)."""
    for _ in range(int(timeout / 0.3)):
        before = [_cpu_ticks(pid) for pid in pids]
        await asyncio.sleep(0.3)
        if [_cpu_ticks(pid) for pid in pids] == before:
            return
    raise TimeoutError("the workers never went idle")


async def test_two_workers_share_the_port_and_both_serve_slack(
    upstreams: Upstreams, launch_bot: Callable[..., BotProcess]
) -> None:
    upstreams.reset()
    bot = launch_bot(upstreams, args=("--workers", "2"))
    assert bot.proc is not None
    workers = _children(bot.proc.pid)
    assert len(workers) == 2

    async with httpx.AsyncClient(timeout=10) as http:

        async def send(body: str, headers: dict[str, str]) -> SlackResponse:
            # A fresh connection per request, as Slack's are: each may go to either worker.
            response = await http.post(
                f"{bot.url}/slack/events",
                content=body,
                headers={**headers, "connection": "close"},
            )
            return SlackResponse(response.status_code, response.text)

        driver = SlackDriver(upstreams.fake, bot.signing_secret, send)
        await _idle(workers)
        before = {pid: _cpu_ticks(pid) for pid in workers}
        served: set[int] = set()
        for _ in range(10):  # rounds of 40 concurrent commands, until both have answered
            answers = await asyncio.gather(*(driver.command("help") for _ in range(40)))
            assert {a.status for a in answers} == {200}
            served = {pid for pid in workers if _cpu_ticks(pid) > before[pid] + 2}
            if served == set(workers):
                break
        assert served == set(workers), "one worker answered every request"

    assert bot.stop() == 0, bot.tail()
