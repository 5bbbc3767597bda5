"""The per-action rules of the policy, as configuration writes them (`POLICY_<ACTION>`).

A rule is one or more terms separated by commas; a person whom any term admits may act:

    everyone                     anyone the membership settings let in (the default)
    incident_roles               people holding any role on the incident (lead, reporter, …)
    incident_lead                the incident's lead
    incident_reporter            the incident's reporter
    usergroup:S0123              members of the Slack user group S0123

For example `POLICY_RESOLVE=incident_lead,usergroup:S0SRELEADS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What the policy rules on: each change the bot can make to incident.io."""

    DECLARE = "declare"
    UPDATE = "update"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    # Reserved for the verbs to come, so that their rules can be set (and checked) today.
    EDIT = "edit"
    ROLES = "roles"
    PAGE = "page"

    @property
    def setting(self) -> str:
        return f"POLICY_{self.value.upper()}"


class Kind(StrEnum):
    EVERYONE = "everyone"
    INCIDENT_ROLES = "incident_roles"
    INCIDENT_LEAD = "incident_lead"
    INCIDENT_REPORTER = "incident_reporter"
    USERGROUP = "usergroup"


# Terms that ask about the incident, which a declare does not have yet.
ON_INCIDENT = frozenset({Kind.INCIDENT_ROLES, Kind.INCIDENT_LEAD, Kind.INCIDENT_REPORTER})
# Slack user group IDs: "S" and upper-case letters and digits.
_USERGROUP = re.compile(r"S[A-Z0-9]{2,}")
_DESCRIBED = {
    Kind.EVERYONE: "everyone in the organisation",
    Kind.INCIDENT_ROLES: "people holding a role on the incident",
    Kind.INCIDENT_LEAD: "the incident's lead",
    Kind.INCIDENT_REPORTER: "the incident's reporter",
}


@dataclass(frozen=True)
class Term:
    kind: Kind
    usergroup: str | None = None

    def __str__(self) -> str:
        return f"usergroup:{self.usergroup}" if self.usergroup else self.kind.value

    def describe(self) -> str:
        if self.usergroup:
            return f"members of the user group `{self.usergroup}`"
        return _DESCRIBED[self.kind]


@dataclass(frozen=True)
class Rule:
    terms: tuple[Term, ...]

    def __str__(self) -> str:
        return ",".join(str(t) for t in self.terms)

    @property
    def everyone(self) -> bool:
        return any(t.kind is Kind.EVERYONE for t in self.terms)

    @property
    def needs_incident(self) -> bool:
        return not self.everyone and any(t.kind in ON_INCIDENT for t in self.terms)

    def describe(self) -> str:
        """Who the rule lets in, in words ("the incident's lead or members of …")."""
        return " or ".join(t.describe() for t in self.terms)


EVERYONE = Rule((Term(Kind.EVERYONE),))


def parse_rule(text: str, action: Action) -> Rule:
    """A rule from its setting's value; ValueError with a message fit for the operator."""
    words = [w.strip() for w in text.split(",")]
    if not any(words):
        raise ValueError(f"is empty; write one of {', '.join(k.value for k in Kind)}")
    terms = tuple(_term(word, action) for word in words if word)
    if len(terms) > 1 and any(t.kind is Kind.EVERYONE for t in terms):
        raise ValueError("'everyone' admits everyone: it cannot be combined with other terms")
    return Rule(tuple(dict.fromkeys(terms)))


def _term(word: str, action: Action) -> Term:
    kind_text, _, argument = word.partition(":")
    try:
        kind = Kind(kind_text.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in Kind if k is not Kind.USERGROUP)
        raise ValueError(
            f"'{word}' is not a rule; write {known} or usergroup:S0123 (commas between several)"
        ) from None
    if kind is Kind.USERGROUP:
        group = argument.strip()
        if not _USERGROUP.fullmatch(group):
            raise ValueError(f"'{word}': a user group ID starts with S, like usergroup:S0123ABC")
        return Term(kind, group)
    if argument:
        raise ValueError(f"'{word}': {kind.value} takes no argument")
    if kind in ON_INCIDENT and action is Action.DECLARE:
        raise ValueError(f"'{word}' asks about the incident, and a declare has none yet")
    return Term(kind)
