"""Who a person is (from the payload as Slack sends it and Slack's record of them), and the
audit line every write leaves."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.audit import audited, note_incident, observe_call, refused
from bot.directory import SlackUser
from bot.identity import Home, Identity, Standing, claims, standing
from bot.incidentio.client import ApiCall
from bot.incidentio.errors import ValidationError
from bot.rules import Action

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real" / "slack"


def real(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((CORPUS / f"{name}.json").read_text())["body"]
    return body


def record(user_id: str = "W111", team: str = "T111", **flags: Any) -> SlackUser:
    return SlackUser(id=user_id, name="kaz", team_id=team, **flags)


def test_a_slack_connect_submission_names_the_persons_own_organisation() -> None:
    # Slack sends the submitter's team and enterprise, not the installing workspace's.
    body = real("view_submission/slack_connect_other_side")
    said = claims(body)
    assert (said.user_id, said.team_id, said.enterprise_id) == (
        "W111",
        "T-other-side",
        "E-other-side",
    )
    home = Home(body["view"]["app_installed_team_id"], None)
    assert standing(said, record(team="T-other-side"), home) is Standing.EXTERNAL
    # Slack's record says the same; were it to say otherwise, the payload still counts.
    assert standing(said, record(team=home.team_id or ""), home) is Standing.EXTERNAL


def test_an_org_wide_install_with_team_null_places_the_person_by_organisation() -> None:
    body = real("view_submission/org_wide_team_null")  # "team": null, user.team_id only
    said = claims(body)
    assert said.team_id == "T_unexpected" and said.enterprise_id == "E111"
    member = SlackUser(id="W111", name=None, team_id="T_unexpected", enterprise_id="E111")
    assert standing(said, member, Home(None, "E111")) is Standing.MEMBER
    assert standing(said, member, Home(None, "E999")) is Standing.EXTERNAL


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, Standing.MEMBER),
        ({"is_guest": True}, Standing.GUEST),
        ({"is_bot": True}, Standing.BOT),
        ({"is_stranger": True}, Standing.EXTERNAL),
        ({"deleted": True}, Standing.UNKNOWN),
    ],
)
def test_slacks_record_says_guest_bot_or_stranger(
    flags: dict[str, Any], expected: Standing
) -> None:
    said = claims(real("slash_command/socket_mode_empty_text"))  # T111, U111
    assert standing(said, record("U111", **flags), Home("T111", None)) is expected


def test_without_slacks_record_no_one_is_a_member() -> None:
    said = claims(real("slash_command/socket_mode_empty_text"))
    assert standing(said, None, Home("T111", None)) is Standing.UNKNOWN


def test_records_are_read_as_users_info_answers() -> None:
    guest = SlackUser.from_api(
        "U1",
        {
            "team_id": "T1",
            "is_ultra_restricted": True,
            "enterprise_user": {"enterprise_id": "E1"},
            "profile": {"real_name": "Gus"},
        },
    )
    assert (guest.is_guest, guest.enterprise_id, guest.name) == (True, "E1", "Gus")
    assert SlackUser.from_api("USLACKBOT", {"team_id": "T1"}).is_bot


def test_a_shared_channel_is_read_from_the_strings_slash_commands_send() -> None:
    body = {**real("slash_command/socket_mode_empty_text"), "is_ext_shared_channel": "true"}
    assert claims(body).shared_channel
    assert not claims(real("slash_command/socket_mode_empty_text")).shared_channel


WHO = Identity("U0ALICE", "T0SANDBOX", None, Standing.MEMBER)


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.audit"]


async def test_a_write_leaves_one_audit_line_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def write() -> str:
        observe_call(ApiCall("GET", "/v1/severities", 200, 0.01, "req-read", 1, None))
        observe_call(ApiCall("POST", "/v2/incidents", 201, 0.02, "req-write", 1, None))
        note_incident("INC-7")
        return "done"

    with caplog.at_level(logging.INFO, logger="bot.audit"):
        assert await audited(WHO, Action.DECLARE, None, write) == "done"
    [line] = _lines(caplog)
    got = {k: getattr(line, k) for k in ("slack_user", "slack_team", "action", "incident")}
    assert got == {
        "slack_user": "U0ALICE",
        "slack_team": "T0SANDBOX",
        "action": "declare",
        "incident": "INC-7",
    }
    assert (line.result, line.request_id, line.attempts) == ("ok", "req-write", 1)  # type: ignore[attr-defined]


async def test_a_failed_write_is_audited_and_still_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def write() -> None:
        observe_call(ApiCall("POST", "/v2/incident_updates", 422, 0.02, "req-bad", 1, None))
        raise ValidationError(message="nope", status=422, request_id="req-bad")

    with caplog.at_level(logging.INFO, logger="bot.audit"), pytest.raises(ValidationError):
        await audited(WHO, Action.RESOLVE, "INC-3", write)
    [line] = _lines(caplog)
    assert (line.result, line.request_id, line.incident) == ("failed: 422", "req-bad", "INC-3")  # type: ignore[attr-defined]


async def test_no_line_where_nothing_was_written_and_one_for_a_refusal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def read_only() -> None:
        observe_call(ApiCall("GET", "/v2/incidents/1", 200, 0.01, "req-read", 1, None))

    with caplog.at_level(logging.INFO, logger="bot.audit"):
        await audited(WHO, Action.UPDATE, "INC-1", read_only)
        assert _lines(caplog) == []
        refused(WHO, Action.ESCALATE, "INC-1", "POLICY_ESCALATE=incident_lead")
    [line] = _lines(caplog)
    assert (line.result, line.rule, line.action) == (  # type: ignore[attr-defined]
        "refused",
        "POLICY_ESCALATE=incident_lead",
        "escalate",
    )
