"""The card mapping is the store's: it survives a restart (the SQLite file) and is shared by
replicas (one PostgreSQL), so whichever process makes a change updates the card another posted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.e2e.botproc import BotProcess
from tests.e2e.conftest import E2E, Upstreams


async def _declare(e2e: E2E) -> tuple[str, str]:
    await e2e.driver.command("declare Checkout down")
    await e2e.settle()
    view = e2e.driver.last_view()
    await e2e.driver.submit(view["id"], {"severity": "Major"})
    await e2e.settle()
    await e2e.until(lambda: len(e2e.fake.posted()) == 1, "the card")
    [card] = e2e.fake.posted()
    return card


async def _update_from(e2e: E2E, card: tuple[str, str]) -> None:
    await e2e.driver.command("update INC-1 Rolled back the deploy")
    await e2e.settle()
    channel, ts = card
    await e2e.until(lambda: len(e2e.fake.thread(channel, ts)) >= 1, "the update under the card")
    edits = [c for c in e2e.fake.calls_to("chat.update") if c.error is None]
    assert [(c.args["channel"], c.args["ts"]) for c in edits] == [card]
    assert "Rolled back the deploy" in str(e2e.fake.thread(channel, ts))
    assert e2e.fake.posted() == [card]  # updated in place, never posted again
    e2e.check_clean()


async def test_a_restarted_bot_updates_the_card_it_posted_before(
    upstreams: Upstreams, launch_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    upstreams.reset()
    data = {"INCIDENT_BOT_DATA_DIR": str(tmp_path / "volume")}
    first = launch_bot(upstreams, env=data)
    async with httpx.AsyncClient(timeout=15.0) as http:
        card = await _declare(E2E(first, upstreams, http))
        assert first.stop() == 0
        second = launch_bot(upstreams, env=data, signing_secret=first.signing_secret)
        await _update_from(E2E(second, upstreams, http), card)


async def test_two_replicas_on_one_postgresql_update_the_same_card(
    upstreams: Upstreams, launch_bot: Callable[..., BotProcess], postgres: str
) -> None:
    upstreams.reset()
    shared = {"DATABASE_URL": postgres}
    one = launch_bot(upstreams, env=shared)
    other = launch_bot(upstreams, env=shared, signing_secret=one.signing_secret)
    async with httpx.AsyncClient(timeout=15.0) as http:
        card = await _declare(E2E(one, upstreams, http))
        await _update_from(E2E(other, upstreams, http), card)
