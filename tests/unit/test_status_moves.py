"""Where an incident may move from each status (API-NOTES §12.1, the official text of
`IncidentEditPayloadV2.incident_status_id`): one table, read by every modal that offers a status."""

from __future__ import annotations

import pytest

from bot.incidentio.models import Catalog, IncidentStatus, allowed_moves, may_move

CATEGORIES = ("triage", "live", "paused", "learning", "closed", "declined", "merged", "canceled")

# Source category -> the categories an incident in it may move to through the API. Within a
# category, except post-incident (its statuses move with task completion); from triage, active
# (live) and paused (treated as active) to post-incident or closed; from post-incident to closed.
# Nothing else: never back to triage, never from paused to live or triage.
MOVES = {
    "triage": {"triage", "learning", "closed"},
    "live": {"live", "learning", "closed"},
    "paused": {"paused", "learning", "closed"},
    "learning": {"closed"},
    "closed": {"closed"},
    "declined": {"declined"},
    "merged": {"merged"},
    "canceled": {"canceled"},
}


@pytest.mark.parametrize(("source", "target"), [(s, t) for s in CATEGORIES for t in CATEGORIES])
def test_may_move_follows_the_official_rules(source: str, target: str) -> None:
    assert may_move(source, target) is (target in MOVES[source])


@pytest.mark.parametrize(
    ("source", "target"), [("tutorial", "tutorial"), ("live", "tutorial"), ("tutorial", "closed")]
)
def test_an_unknown_category_moves_nowhere(source: str, target: str) -> None:
    # incident.io adds categories without notice; the bot offers no move it cannot vouch for.
    assert not may_move(source, target)


def _status(name: str, category: str, rank: int) -> IncidentStatus:
    return IncidentStatus(id=f"ST-{name}", name=name, category=category, rank=rank)


# Two statuses in each category, ranked out of catalog order to show that rank orders them.
STATUSES = tuple(
    _status(f"{category}-{n}", category, rank)
    for index, category in enumerate(CATEGORIES)
    for n, rank in ((2, 20 * index + 2), (1, 20 * index + 1))
)
CATALOG = Catalog(severities=(), statuses=STATUSES, types=(), roles=())


def _current(category: str) -> IncidentStatus:
    return next(s for s in STATUSES if s.name == f"{category}-1")


def _names(statuses: list[IncidentStatus]) -> list[str]:
    return [s.name for s in statuses]


@pytest.mark.parametrize("source", CATEGORIES)
def test_allowed_moves_lists_every_allowed_status_but_the_current_one(source: str) -> None:
    current = _current(source)
    expected = [
        f"{category}-{n}"
        for category in CATEGORIES
        if category in MOVES[source]
        for n in (1, 2)
        if f"{category}-{n}" != current.name
    ]
    assert _names(allowed_moves(current, STATUSES)) == expected


@pytest.mark.parametrize(
    ("source", "update", "resolve"),
    [
        ("triage", ["triage-2"], ["learning-1", "learning-2", "closed-1", "closed-2"]),
        ("live", ["live-2"], ["learning-1", "learning-2", "closed-1", "closed-2"]),
        ("paused", ["paused-2"], ["learning-1", "learning-2", "closed-1", "closed-2"]),
        ("learning", [], ["closed-1", "closed-2"]),
        ("closed", ["closed-2"], ["closed-2"]),
        ("declined", ["declined-2"], []),
        ("merged", ["merged-2"], []),
        ("canceled", ["canceled-2"], []),
    ],
)
def test_update_moves_within_a_category_and_resolve_ends(
    source: str, update: list[str], resolve: list[str]
) -> None:
    # Resolving is resolve's job: the update modal never offers post-incident or closed to an
    # open incident. (A closed, declined, merged or canceled incident is refused before either
    # modal opens; the rule alone would let it move within its category.)
    current = _current(source)
    assert _names(CATALOG.update_statuses(current)) == update
    assert _names(CATALOG.resolve_statuses(current)) == resolve
