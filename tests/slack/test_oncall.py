"""`/incident oncall [name]`: who is on call now, from the cache, within Slack's 3 s."""

from __future__ import annotations

from tests.slack.conftest import Harness
from tests.slack.helpers import said


async def test_every_schedule_with_who_is_on_call_and_until_when(h: Harness) -> None:
    response = await h.driver.command("oncall")
    await h.settle()
    text = said(h, response)
    assert "Who is on call now" in text
    platform = next(line for line in text.splitlines() if line.startswith("*Platform primary*"))
    assert ("<@U0SBXADA01> until <!date^" in platform) or ("<@U0SBXGRACE> until" in platform)
    payments = next(line for line in text.splitlines() if line.startswith("*Payments primary*"))
    # Lin has no Slack account: named, not mentioned.
    assert "<@U0SBXALAN1> until" in payments and "Lin Contractor until" in payments
    assert "*Database*: nobody on call now" in text
    assert "(escalation path)" not in text  # paths only when asked for by name


async def test_a_name_narrows_to_matching_schedules_and_paths(h: Harness) -> None:
    response = await h.driver.command("oncall PAYM")
    await h.settle()
    text = said(h, response)
    assert "*Payments primary*" in text and "Platform primary" not in text
    assert "*Payments* (escalation path): <@U0SBXALAN1>, Lin Contractor" in text


async def test_an_unknown_name_lists_what_there_is(h: Harness) -> None:
    response = await h.driver.command("oncall <nobody>")
    await h.settle()
    text = said(h, response)
    assert "No schedule or escalation path is named like `&lt;nobody&gt;`" in text
    assert "`Platform primary`" in text and "`Platform urgent`" in text


async def test_answered_from_the_cache(h: Harness) -> None:
    await h.driver.command("oncall")
    await h.settle()
    before = len(h.emulator.requests)
    response = await h.driver.command("oncall platform")
    await h.settle()
    assert "Platform primary" in said(h, response)
    assert len(h.emulator.requests) == before  # nothing asked of incident.io again
