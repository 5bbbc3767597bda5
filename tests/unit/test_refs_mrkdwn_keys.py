from datetime import UTC, datetime

import pytest

from bot import keys
from bot.incidentio.models import Incident
from bot.refs import IncidentRef, parse_ref
from bot.slacktext import escape, link, truncate


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("INC-7", IncidentRef("number", "7")),
        ("inc-007", IncidentRef("number", "7")),
        ("#7", IncidentRef("number", "7")),
        ("7", IncidentRef("number", "7")),
        ("01FCNDV6P870EA6S7TK1DSYDG0", IncidentRef("id", "01FCNDV6P870EA6S7TK1DSYDG0")),
        ("checkout", None),
        ("INC-", None),
        ("-7", None),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", None),  # no digit: a shouted word, not an ID
    ],
)
def test_parse_ref(token: str, expected: IncidentRef | None) -> None:
    assert parse_ref(token) == expected


def _incident(reference: str, incident_id: str) -> Incident:
    now = datetime.now(UTC)
    return Incident.model_validate(
        {
            "id": incident_id,
            "reference": reference,
            "name": "x",
            "incident_status": {"id": "s", "name": "Live", "category": "live"},
            "created_at": now,
            "updated_at": now,
        }
    )


def test_ref_matches_reference_or_id() -> None:
    incident = _incident("INC-7", "01FCNDV6P870EA6S7TK1DSYDG0")
    assert IncidentRef("number", "7").matches(incident)
    assert not IncidentRef("number", "70").matches(incident)
    assert IncidentRef("id", "01FCNDV6P870EA6S7TK1DSYDG0").matches(incident)


@pytest.mark.parametrize(
    "hostile",
    ["<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://evil|click>", "a & b > c"],
)
def test_escape_leaves_no_control_sequence(hostile: str) -> None:
    out = escape(hostile)
    assert "<" not in out and ">" not in out


@pytest.mark.parametrize("word", ["@channel", "@here", "@everyone", "@HERE"])
def test_escape_defuses_plain_broadcasts(word: str) -> None:
    assert word not in escape(f"hey {word} look")


def test_link_escapes_label_and_url() -> None:
    out = link("https://x.test/a>b|c", "<!channel> | name")
    assert out.startswith("<https://x.test/a%3Eb%7Cc|")
    assert "<!channel>" not in out and out.count("|") == 1


def test_truncate() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


def test_keys_are_stable_and_bounded() -> None:
    assert keys.for_view("T1", "cb", "V1") == keys.for_view("T1", "cb", "V1")
    assert keys.for_view("T1", "cb", "V1") != keys.for_view("T1", "cb", "V2")
    assert keys.for_message("T1", "C1", "1.2") == "slack:T1:msg:C1:1.2"
    long = keys.for_message_update("T" * 60, "I" * 30, "C" * 20, "1" * 20)
    assert len(long) <= 100 and long.startswith("slack:h:")
