"""The benchmark's rules for issue #15's rows (bench/interleaved.py): what counts as a burst
served within 3 s, and how the largest such burst is searched for."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bench import interleaved
from bench.interleaved import Round, Search
from bench.scenarios import Sample


def _round(acks: list[float], opens: list[float], failed_requests: int = 0) -> Round:
    return Round(
        size=len(acks),
        acks=Sample(acks),
        opens=Sample(opens),
        failed_requests=failed_requests,
        failed_modals=len(acks) - len(opens),
        cpu=0.0,
    )


def test_a_burst_is_within_3_s_only_if_every_ack_and_every_modal_is() -> None:
    assert _round([0.1, 2.9], [1.0, 2.99]).within
    assert not _round([0.1, 3.0], [1.0, 2.0]).within  # one late ack
    assert not _round([0.1, 0.2], [1.0, 3.2]).within  # one late modal
    assert not _round([0.1, 0.2], [1.0]).within  # one modal never opened
    assert not _round([0.1, 0.2], [math.inf]).within
    assert not _round([0.1, 0.2], [1.0, 1.1], failed_requests=1).within


def test_the_search_stops_at_the_first_failure_and_bisects_once() -> None:
    search = Search()
    for size, ok in ((200, True), (400, True), (600, False)):
        search.tried[size] = ok
    assert (search.passed, search.failed) == (400, 600)
    assert search.between(100) == 500
    search.tried[500] = True
    assert (search.passed, search.between(100)) == (500, None)


def test_the_search_reports_what_passed_below_the_first_failure() -> None:
    never = Search({200: False})
    assert (never.passed, never.failed, never.between(100)) == (0, 200, 100)
    # A larger size that happened to pass after a failure does not count.
    noisy = Search({200: True, 400: False, 600: True})
    assert (noisy.passed, noisy.failed) == (200, 400)
    clean = Search({200: True, 400: True})
    assert (clean.passed, clean.failed, clean.between(100)) == (400, None, None)


async def test_a_size_fails_only_when_its_second_try_fails_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    modals_on_time = iter([False, True, False, False, True])

    async def burst(*_: Any) -> Round:
        return _round([0.1], [1.0 if next(modals_on_time) else 3.5])

    monkeypatch.setattr(interleaved, "burst_round", burst)
    search = Search()
    for size in (200, 400, 600):
        await interleaved._try(None, None, size, search, [])  # type: ignore[arg-type]
    assert search.tried == {200: True, 400: False, 600: True}
    assert search.retried == {200, 400}
