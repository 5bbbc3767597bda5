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


def test_fractions_above_a_minute_are_taken() -> None:
    assert Schedule.parse("*:1.5").interval("Minor") == timedelta(seconds=90)


def test_less_than_a_minute_is_refused_unless_the_caller_sets_a_lower_floor() -> None:
    # 0.001 minutes would remind a real thread on every check.
    with pytest.raises(BadSchedule, match=r"'Critical:0\.001': minutes must be at least 1 "):
        Schedule.parse("Critical:0.001")
    assert Schedule.parse("*:0.05", shortest=0.01).interval(None) == timedelta(seconds=3)


@pytest.mark.parametrize("text", ["Critical:15;Major:30", "Critical;Major:30", "a:b:15"])
def test_a_name_holding_a_separator_is_two_entries_run_together(text: str) -> None:
    with pytest.raises(BadSchedule, match="separate entries with commas") as caught:
        Schedule.parse(text)
    assert repr(text) in str(caught.value)


def test_names_that_are_no_severity_of_incident_io_are_named_with_those_there_are() -> None:
    schedule = Schedule.parse("Criticl:15,major:30,*:60")
    problem = schedule.unknown(["Critical", "Major", "Minor"])
    assert problem is not None
    assert "names no severity of incident.io: criticl " in problem
    assert "major" not in problem.split(";")[0] and "*" not in problem
    assert problem.endswith("its severities: Critical, Major, Minor")
    assert Schedule.parse("CRITICAL:15,*:60").unknown(["Critical"]) is None


@pytest.mark.parametrize("text", ["", " ", ",,"])
def test_empty_turns_reminders_off(text: str) -> None:
    assert not Schedule.parse(text).on


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Critical", "needs a severity and minutes"),
        (":15", "needs a severity and minutes"),
        ("Critical:soon", "'soon' is not a number"),
        ("Critical:0", "at least 1"),
        ("Critical:-5", "at least 1"),
        ("Critical:nan", "at least 1"),
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
    monkeypatch.setenv("REMINDER_MINUTES", "Critical: 15 ,*:1.5")
    monkeypatch.setenv("REMINDER_CHECK_SECONDS", "0.2")
    settings = load_settings(**REQUIRED)
    assert settings.reminder_minutes == "critical:15,*:1.5"
    assert settings.reminder_check_seconds == 0.2
    monkeypatch.setenv("REMINDER_LEASE_SECONDS", "0")
    with pytest.raises(ConfigError, match="REMINDER_LEASE_SECONDS"):
        load_settings(**REQUIRED)


@pytest.mark.parametrize("value", ["", " ", ",,"])
def test_set_but_empty_is_refused_as_the_other_settings_are(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("REMINDER_MINUTES", value)
    with pytest.raises(ConfigError) as caught:
        load_settings(**REQUIRED)
    assert "REMINDER_MINUTES: is set but empty (unset it to turn reminders off)" in str(
        caught.value
    )
    monkeypatch.delenv("REMINDER_MINUTES")
    assert load_settings(**REQUIRED).reminder_minutes is None


@pytest.mark.parametrize(("seconds", "taken"), [("9", False), ("10", True), ("120", True)])
def test_a_lease_is_at_least_ten_seconds(
    monkeypatch: pytest.MonkeyPatch, seconds: str, taken: bool
) -> None:
    monkeypatch.setenv("REMINDER_LEASE_SECONDS", seconds)
    if taken:
        assert load_settings(**REQUIRED).reminder_lease_seconds == float(seconds)
        return
    with pytest.raises(ConfigError, match=r"REMINDER_LEASE_SECONDS: .*greater than or equal to 10"):
        load_settings(**REQUIRED)
