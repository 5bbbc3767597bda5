"""incident.io webhooks against real bot processes (HTTP mode): three replicas sharing one
PostgreSQL, and one process on its SQLite file. A change made outside the bot (in the emulator,
as in incident.io's dashboard) is delivered three times, to different replicas, together with an
older change arriving late: each card is rewritten once, to the newest state, never back; forged
deliveries are refused by every replica; the emulator's own sending reaches the cards too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from tests.e2e.botproc import BotProcess
from tests.e2e.conftest import E2E, Upstreams
from tests.e2e.helpers import text_of

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ANNOUNCE = "C0ANNOUNCE"
PATH = "/incidentio/webhooks"


ENV = {"INCIDENTIO_WEBHOOK_SECRET": SECRET, "INCIDENT_ANNOUNCE_CHANNEL": ANNOUNCE}


async def test_three_replicas_on_one_postgresql(
    upstreams: Upstreams, launch_bot: Callable[..., BotProcess], postgres: str
) -> None:
    upstreams.reset()
    env = {**ENV, "DATABASE_URL": postgres}
    first = launch_bot(upstreams, env=env)
    others = [launch_bot(upstreams, env=env, signing_secret=first.signing_secret) for _ in "ab"]
    await _scenario([first, *others], upstreams)


async def test_one_process_on_sqlite(
    upstreams: Upstreams, launch_bot: Callable[..., BotProcess]
) -> None:
    upstreams.reset()
    await _scenario([launch_bot(upstreams, env=ENV)], upstreams)


async def _declare(e2e: E2E) -> tuple[str, list[tuple[str, str]]]:
    await e2e.driver.command("declare Checkout down")
    await e2e.settle()
    view = e2e.driver.last_view()
    await e2e.driver.submit(view["id"], {"severity": "Major"})
    await e2e.settle()
    await e2e.until(lambda: len(e2e.fake.posted()) == 2, "the card and its announcement")
    [incident] = e2e.emulator.incidents
    return incident["id"], e2e.fake.posted()


async def _control(http: httpx.AsyncClient, up: Upstreams, path: str, body: Any) -> Any:
    response = await http.post(f"{up.emulator_url}/_emulator/{path}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def _deliveries(http: httpx.AsyncClient, up: Upstreams) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await http.get(f"{up.emulator_url}/_emulator/webhooks")).json()[
        "deliveries"
    ]
    return found


async def _deliver(
    http: httpx.AsyncClient, bot: BotProcess, delivery: dict[str, Any], **headers: str
) -> httpx.Response:
    return await http.post(
        f"{bot.url}{PATH}", content=delivery["body"], headers={**delivery["headers"], **headers}
    )


def _edits(e2e: E2E) -> list[tuple[str, str]]:
    calls = [c for c in e2e.fake.calls_to("chat.update") if c.error is None]
    return [(c.args["channel"], c.args["ts"]) for c in calls]


async def _scenario(replicas: list[BotProcess], upstreams: Upstreams) -> None:
    """A change delivered three times, to different replicas, out of order with an older one:
    each card is rewritten once, never back; forgeries refused; the emulator's own sending."""
    async with httpx.AsyncClient(timeout=15.0) as http:
        e2e = E2E(replicas[0], upstreams, http)
        incident_id, cards = await _declare(e2e)
        # Keep what incident.io would send, to deliver it here as its retries would.
        await _control(http, upstreams, "webhooks", {"url": None, "secret": SECRET})
        edit = f"outside/incidents/{incident_id}/edit"
        await _control(http, upstreams, edit, {"name": "Checkout slow"})
        await _control(http, upstreams, edit, {"name": "Checkout down everywhere"})
        older, newer = await _deliveries(http, upstreams)

        # The newer change, three times at once, to every replica in turn.
        bots = [replicas[i % len(replicas)] for i in range(3)]
        answers = await asyncio.gather(*(_deliver(http, bot, newer) for bot in bots))
        results = [a.json()["result"] for a in answers]
        assert results.count("refreshed") == 1, results
        assert {a.status_code for a in answers} <= {200, 409}, results
        # The older one arrives late, at another replica.
        late = await _deliver(http, bots[1], older)
        assert late.status_code == 200 and late.json() == {"result": "nothing new"}
        # incident.io retries what got a 409: by then it was processed.
        for bot, answer in zip(bots, answers, strict=True):
            if answer.status_code == 409:
                again = await _deliver(http, bot, newer)
                assert again.json() == {"result": "duplicate: processed before"}

        assert sorted(_edits(e2e)) == sorted(cards)  # each card once
        for place in cards:
            assert "Checkout down everywhere" in text_of(e2e.fake.message(*place))

        # Forged, tampered or stale: refused by every replica, nothing done.
        forged = [
            {"webhook-signature": "v1,bm90IHRoZSBzaWduYXR1cmU="},
            {"webhook-timestamp": "1700000000"},
            {"webhook-id": "msg_replayed_under_another_id"},
        ]
        refused = [
            await _deliver(http, bot, {**older, "headers": {**older["headers"], **bad}})
            for bot in replicas
            for bad in forged
        ]
        assert {r.status_code for r in refused} == {401}
        assert sorted(_edits(e2e)) == sorted(cards)

        # The emulator sending by itself, to the last replica: the change reaches the cards.
        await _control(
            http, upstreams, "webhooks", {"url": f"{replicas[-1].url}{PATH}", "secret": SECRET}
        )
        await _control(http, upstreams, edit, {"status": "Monitoring"})

        def shown() -> bool:
            return all("Monitoring" in text_of(e2e.fake.message(*p)) for p in cards)

        await e2e.until(shown, "the status changed outside on every card")
        await e2e.until(lambda: len(_edits(e2e)) == 2 * len(cards), "one more rewrite per card")
        for _ in range(500):
            sent = (await _deliveries(http, upstreams))[2:]
            if all(d["status"] is not None for d in sent):
                break
            await asyncio.sleep(0.02)
        assert [(d["event_type"], d["status"]) for d in sent] == [
            ("public_incident.incident_updated_v2", 200),
            ("public_incident.incident_status_updated_v2", 200),
        ]
        assert len(_edits(e2e)) == 2 * len(cards)  # the status event: nothing new
        e2e.check_clean()
        for bot in replicas:
            lines = [line for line in bot.log_lines() if line.get("logger") == "bot.webhooks"]
            assert all("webhook_id" in line and "ms" in line for line in lines)
