"""The policy's settings: defaults, the rule format, and bad values that stop start-up with a
message naming the setting."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from bot.policy import Policy
from bot.rules import EVERYONE, Action, Kind, Rule, Term, parse_rule

REQUIRED = {"INCIDENTIO_API_KEY": "inc_key", "SLACK_BOT_TOKEN": "xoxb-token"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for action in Action:
        monkeypatch.delenv(action.setting, raising=False)
    for name in ("POLICY_ALLOW_GUESTS", "POLICY_ALLOW_EXTERNAL", "POLICY_ALLOW_BOTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("POLICY_CONTACT", raising=False)
    for k, v in REQUIRED.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_by_default_members_may_do_everything_and_no_one_else_may() -> None:
    policy = Policy.from_settings(load_settings())
    assert (policy.allow_guests, policy.allow_external, policy.allow_bots) == (False,) * 3
    assert all(policy.rule(a) == EVERYONE for a in Action)
    assert policy.contact is None


def test_rules_are_read_from_the_environment_and_written_back_normalised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLICY_RESOLVE", " Incident_Lead , usergroup:S0SRELEADS ")
    monkeypatch.setenv("POLICY_PAGE", "usergroup:S0ONCALL,usergroup:S0456")
    monkeypatch.setenv("POLICY_ALLOW_GUESTS", "true")
    monkeypatch.setenv("POLICY_CONTACT", "#incident-admins")
    settings = load_settings()
    assert settings.policy_resolve == "incident_lead,usergroup:S0SRELEADS"
    policy = Policy.from_settings(settings)
    assert policy.rule(Action.RESOLVE) == Rule(
        (Term(Kind.INCIDENT_LEAD), Term(Kind.USERGROUP, "S0SRELEADS"))
    )
    assert [t.usergroup for t in policy.rule(Action.PAGE).terms] == ["S0ONCALL", "S0456"]
    assert policy.allow_guests and policy.contact == "#incident-admins"


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("POLICY_RESOLVE", "admins", "'admins' is not a rule"),
        ("POLICY_UPDATE", "", "is empty"),
        ("POLICY_ESCALATE", "usergroup:oncall", "a user group ID starts with S"),
        ("POLICY_ESCALATE", "usergroup:", "a user group ID starts with S"),
        ("POLICY_DECLARE", "incident_lead", "a declare has none yet"),
        ("POLICY_EDIT", "everyone,incident_lead", "cannot be combined"),
        ("POLICY_ROLES", "incident_roles:S0123", "takes no argument"),
        ("POLICY_ALLOW_GUESTS", "sometimes", "valid boolean"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(
    monkeypatch: pytest.MonkeyPatch, setting: str, value: str, said: str
) -> None:
    monkeypatch.setenv(setting, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    [line] = [line for line in str(caught.value).splitlines() if line.startswith("  ")]
    assert line.startswith(f"  {setting}: ") and said in line
    assert "Value error" not in line  # the validation library's wording is not the reader's


def test_rules_say_whom_they_admit() -> None:
    rule = parse_rule("incident_lead,usergroup:S0SRE", Action.RESOLVE)
    assert rule.describe() == "the incident's lead or members of the user group `S0SRE`"
    assert rule.needs_incident and not rule.everyone
    assert not parse_rule("usergroup:S0SRE", Action.DECLARE).needs_incident
    assert str(parse_rule("incident_roles,incident_roles", Action.UPDATE)) == "incident_roles"
