"""One `bot.interaction` line per Slack interaction: what, who, which incident, which API calls."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

import pytest

from bot.ids import Modal
from bot.observability.logs import JsonFormatter
from tests.slack.conftest import Harness
from tests.slack.helpers import seed_incident

CALL = re.compile(r"^(GET|POST) (/v\d/\S+) (\d{3}|\w+) (\d+)ms$")


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.INFO)

    def read() -> list[dict[str, Any]]:
        """The interaction lines so far, as the JSON formatter writes them."""
        formatter = JsonFormatter()
        return [
            json.loads(formatter.format(r)) for r in caplog.records if r.name == "bot.interaction"
        ]

    return read


def assert_calls_well_formed(line: dict[str, Any]) -> None:
    assert line["api_calls"], line
    for call in line["api_calls"]:
        assert CALL.match(call), call
    assert line["request_ids"] and all(isinstance(r, str) and r for r in line["request_ids"])
    assert len(line["request_ids"]) <= len(line["api_calls"])


async def test_a_declare_is_one_line_for_the_command_and_one_for_the_submission(
    h: Harness, lines: Any
) -> None:
    await h.driver.command("declare Checkout down")
    await h.settle()
    view = h.driver.last_view()
    await h.driver.submit(view["id"], {"severity": "Major"})
    await h.settle()

    command, submission = lines()
    assert command["message"] == "command declare ok"
    assert command["interaction"] == "command" and command["verb"] == "declare"
    assert command["user"] == "U0ALICE" and command["outcome"] == "ok"
    assert command["ack_ms"] >= 0 and command["duration_ms"] >= command["ack_ms"]

    assert submission["interaction"] == "view_submission"
    assert submission["verb"] == Modal.DECLARE.value and submission["user"] == "U0ALICE"
    assert submission["outcome"] == "ok" and "error" not in submission
    assert submission["incident"] == "INC-1"
    assert_calls_well_formed(submission)
    assert any(c.startswith("POST /v2/incidents ") for c in submission["api_calls"])
    # The request IDs are incident.io's, the ones its support can look up.
    emulator_ids = {r.request_id for r in h.emulator.requests}
    assert set(submission["request_ids"]) <= emulator_ids


async def test_no_user_text_in_the_line(h: Harness, lines: Any) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"update {incident.reference} secret plans for <!here>")
    await h.settle()
    [line] = lines()
    assert line["verb"] == "update" and line["incident"] == incident.reference
    assert "secret plans" not in json.dumps(line)
    await h.driver.command("frobnicate everything")
    await h.settle()
    assert lines()[-1]["verb"] == "unknown" and "frobnicate" not in json.dumps(lines()[-1])


@pytest.mark.parametrize(
    ("verb", "answers"),
    [
        ("update", {"message": "Rolled back"}),
        ("escalate", {"reason": "Spreading"}),
        ("resolve", {"message": "Fixed", "status": "Closed"}),
    ],
)
async def test_changes_from_a_modal_name_their_incident(
    h: Harness, lines: Any, verb: str, answers: dict[str, str]
) -> None:
    incident = await seed_incident(h)
    await h.driver.command(f"{verb} {incident.reference}")
    await h.settle()
    await h.driver.submit(h.driver.last_view()["id"], answers)
    await h.settle()
    command, submission = lines()
    assert command["incident"] == submission["incident"] == incident.reference
    assert submission["outcome"] == "ok"
    assert any(c.startswith("POST /v2/incident_updates ") for c in submission["api_calls"])


async def test_a_user_error_is_counted_as_such(h: Harness, lines: Any) -> None:
    await h.driver.command("show INC-99")
    await h.settle()
    [line] = lines()
    assert line["outcome"] == "user_error" and line["error"] == "UserError"
    assert any(" 404 " in c for c in line["api_calls"])


async def test_an_inline_form_error_is_not_counted_as_a_failure(h: Harness, lines: Any) -> None:
    await h.driver.command("declare")
    await h.settle()
    await h.driver.submit(h.driver.last_view()["id"], {"severity": "Minor"})
    await h.settle()
    assert lines()[-1]["outcome"] in ("ok", "user_error")  # answered inline, nothing failed
    assert not h.writes()


async def test_an_api_error_carries_the_request_ids_of_every_attempt(
    h: Harness, lines: Any
) -> None:
    incident = await seed_incident(h)
    h.emulator.faults.add("POST /v2/incident_updates", 500, count=10)
    await h.driver.command(f"update {incident.reference} Still broken")
    await h.settle()
    [line] = lines()
    assert line["outcome"] == "api_error" and line["error"] == "ServerError"
    attempts = [c for c in line["api_calls"] if c.startswith("POST /v2/incident_updates 500 ")]
    assert len(attempts) >= 2  # retried, and each attempt is on the line
    assert_calls_well_formed(line)


async def test_an_interaction_that_fails_before_answering_still_has_its_line(
    h: Harness, lines: Any
) -> None:
    await h.driver.command("declare")
    await h.settle()
    view = h.driver.last_view()
    view["private_metadata"] = "not what the bot wrote"
    response = await h.driver.submit(view["id"], {"name": "x", "severity": "Minor"}, shown=view)
    await h.settle()
    assert response.status == 200 and response.json()["response_action"] == "update"
    submission = [line for line in lines() if line["interaction"] == "view_submission"]
    assert len(submission) == 1
    assert submission[0]["outcome"] != "ok" and submission[0]["error"] == "FormError"


async def test_concurrent_interactions_keep_their_own_calls(h: Harness, lines: Any) -> None:
    first = await seed_incident(h, "One")
    second = await seed_incident(h, "Two")
    await asyncio.gather(
        h.driver.command(f"update {first.reference} a"),
        h.driver.command(f"update {second.reference} b"),
    )
    await h.settle()
    by_incident = {line["incident"]: line for line in lines()}
    assert set(by_incident) == {first.reference, second.reference}
    for line in by_incident.values():
        assert [c.split()[0:2] for c in line["api_calls"] if c.startswith("POST")] == [
            ["POST", "/v2/incident_updates"]
        ]


async def test_an_unknown_subcommand_is_a_user_error_not_ok(h: Harness, lines: Any) -> None:
    await h.driver.command("frobnicate INC-1")
    await h.settle()
    [line] = lines()
    assert line["verb"] == "unknown"
    assert line["outcome"] == "user_error" and line["error"] == "CommandError"
