"""REMINDER_MINUTES: minutes per severity, `*` for the rest, off when empty; every mistake named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, load_settings
from bot.reminders.schedule import BadSchedule, Schedule

REQUIRED = {"incidentio_api_key": "key", "slack_bot_token": "xoxb-1", "_env_file": None}


def test_minutes_per_severity_any_case_with_a_default_for_the_rest() -> None:
    schedule = Schedule.parse(" Critical:15, major:30 ,Minor:120,*:60 ")
    assert schedule.on
    assert schedule.interval("CRITICAL") == timedelta(minutes=15)
    assert schedule.interval("Major") == timedelta(minutes=30)
    assert schedule.interval("Unheard of") == timedelta(minutes=60)
    assert schedule.interval(None) == timedelta(minutes=60)  # an incident without a severity


def test_a_severity_left_out_without_a_default_is_never_reminded() -> None:
    schedule = Schedule.parse("Critical:15")
    assert schedule.interval("Minor") is None and schedule.interval(None) is None


def test_fractions_of_a_minute_are_taken() -> None:
    assert Schedule.parse("*:0.05").interval("Minor") == timedelta(seconds=3)


@pytest.mark.parametrize("text", ["", " ", ",,"])
def test_empty_turns_reminders_off(text: str) -> None:
    assert not Schedule.parse(text).on


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Critical", "needs a severity and minutes"),
        (":15", "needs a severity and minutes"),
        ("Critical:soon", "'soon' is not a number"),
        ("Critical:0", "above 0"),
        ("Critical:-5", "above 0"),
        ("Critical:20000", "at most a week"),
        ("Major:30,major:15", "given twice"),
    ],
)
def test_mistakes_are_named(text: str, named: str) -> None:
    with pytest.raises(BadSchedule, match=named):
        Schedule.parse(text)


def test_the_setting_is_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_MINUTES", "Critical:15,Major:{soon}")
    with pytest.raises(ConfigError) as caught:
        load_settings(**REQUIRED)
    assert "REMINDER_MINUTES: 'Major:{soon}': '{soon}' is not a number of minutes" in str(
        caught.value
    )


def test_the_setting_is_kept_in_a_normal_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_MINUTES", "Critical: 15 ,*:0.5")
    monkeypatch.setenv("REMINDER_CHECK_SECONDS", "0.2")
    settings = load_settings(**REQUIRED)
    assert settings.reminder_minutes == "critical:15,*:0.5"
    assert settings.reminder_check_seconds == 0.2
    monkeypatch.setenv("REMINDER_LEASE_SECONDS", "0")
    with pytest.raises(ConfigError, match="REMINDER_LEASE_SECONDS"):
        load_settings(**REQUIRED)
