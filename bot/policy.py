"""Who may do what: the membership settings (guests, other organisations, bots) and one rule per
action (bot/rules.py), decided for an Identity and, where the rule asks, the incident.

Every change is checked where it is asked for (the command, the shortcut, the picker) and again
when its form is submitted, since a form may be submitted by someone else than the person who
opened it, or after the rule or the incident's roles changed. A refusal is a `Refused` (a
UserError, shown where the person is) that says which setting refused and whom to ask, and is
logged as an audit line; nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot import audit
from bot.config import Settings
from bot.directory import Directory
from bot.failures import UserError
from bot.identity import Identity, Standing, home_of, identify
from bot.incidentio.models import Incident
from bot.rules import Action, Kind, Rule, Term, parse_rule
from bot.slacktext import escape
from bot.usergroups import Usergroups, UsergroupUnavailable

_WHO = {
    Standing.GUEST: ("Guests", "POLICY_ALLOW_GUESTS"),
    Standing.EXTERNAL: ("People from other organisations", "POLICY_ALLOW_EXTERNAL"),
    Standing.BOT: ("Bots", "POLICY_ALLOW_BOTS"),
}


@dataclass(frozen=True)
class Policy:
    allow_guests: bool = False
    allow_external: bool = False
    allow_bots: bool = False
    rules: Mapping[Action, Rule] | None = None
    contact: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            allow_guests=settings.policy_allow_guests,
            allow_external=settings.policy_allow_external,
            allow_bots=settings.policy_allow_bots,
            rules={a: parse_rule(getattr(settings, f"policy_{a.value}"), a) for a in Action},
            contact=settings.policy_contact,
        )

    def rule(self, action: Action) -> Rule:
        return (self.rules or {}).get(action) or parse_rule("everyone", action)

    def lets_in(self, who: Identity) -> bool:
        """Whether the person may use the bot at all (and see private incidents)."""
        return {
            Standing.MEMBER: True,
            Standing.GUEST: self.allow_guests,
            Standing.EXTERNAL: self.allow_external,
            Standing.BOT: self.allow_bots,
        }.get(who.standing, False)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str  # the setting that decided, as configured: "POLICY_RESOLVE=incident_lead"
    why: str = ""  # for a refusal: mrkdwn, what refused and whom to ask
    # The rule asks about an incident not known yet: decided again once it is.
    pending: bool = False


class Refused(UserError):
    """The policy refused; nothing was written."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.why)
        self.decision = decision


class Guard:
    """The policy applied: who a payload's person is, and whether they may do something."""

    def __init__(self, policy: Policy, directory: Directory, usergroups: Usergroups) -> None:
        self.policy = policy
        self._directory = directory
        self._usergroups = usergroups

    async def identify(self, body: Mapping[str, Any], context: Mapping[str, Any]) -> Identity:
        return await identify(self._directory, body, home_of(context))

    def viewer(self, who: Identity) -> str | None:
        """The person's user ID where they may see private incidents (lookup.visible_to);
        None for those who see nothing of them."""
        return who.user_id if self.policy.lets_in(who) else None

    async def decide(
        self, who: Identity, action: Action, incident: Incident | None = None
    ) -> Decision:
        gate = self._membership(who, action)
        if gate is not None:
            return gate
        rule = self.policy.rule(action)
        setting = f"{action.setting}={rule}"
        if rule.everyone:
            return Decision(True, setting)
        unanswered: list[str] = []
        for term in rule.terms:
            if term.usergroup:
                try:
                    if who.user_id in await self._usergroups.members(term.usergroup):
                        return Decision(True, setting)
                except UsergroupUnavailable as error:
                    unanswered.append(f"`{error.usergroup}` ({error.reason})")
            elif incident is None:
                return Decision(True, setting, pending=True)
            elif _holds(incident, who.user_id, term):
                return Decision(True, setting)
        what = f"{action.value} {incident.reference}" if incident else f"{action.value} incidents"
        why = f":no_entry: Only {rule.describe()} may {what} (`{setting}`)."
        if unanswered:
            why += f" Slack did not say who is in {', '.join(unanswered)}."
        return Decision(False, setting, f"{why} {self._ask(rule, incident)}")

    async def authorize(
        self, who: Identity, action: Action, incident: Incident | None = None
    ) -> Decision:
        """The decision if it allows; else Refused, and an audit line that says why."""
        decision = await self.decide(who, action, incident)
        if not decision.allowed:
            audit.refused(who, action, incident.reference if incident else None, decision.rule)
            raise Refused(decision)
        return decision

    def _membership(self, who: Identity, action: Action) -> Decision | None:
        if self.policy.lets_in(who):
            return None
        if who.standing is Standing.UNKNOWN:
            return Decision(
                False,
                "identity",
                ":no_entry: Slack did not confirm who you are in time, so I can't "
                f"{action.value} incidents for you. Please try again in a moment.",
            )
        people, setting = _WHO[who.standing]
        return Decision(
            False,
            f"{setting}=false",
            f":no_entry: {people} can't {action.value} incidents with this bot "
            f"(`{setting}` is off). {self._ask(None, None)}",
        )

    def _ask(self, rule: Rule | None, incident: Incident | None) -> str:
        contact = self.policy.contact
        if rule is not None and incident is not None and rule.needs_incident:
            lead = _lead(incident)
            first = f"the incident's lead ({lead})" if lead else "someone on the incident"
            return f"Ask {first}" + (f", or {contact}." if contact else ".")
        return f"Ask {contact}." if contact else "Ask whoever runs incident-bot here."


def _holds(incident: Incident, user_id: str, term: Term) -> bool:
    if term.kind is Kind.INCIDENT_ROLES:
        return incident.involves(user_id)
    wanted = "lead" if term.kind is Kind.INCIDENT_LEAD else "reporter"
    return any(
        a.role.role_type == wanted
        and a.assignee is not None
        and a.assignee.slack_user_id == user_id
        for a in incident.incident_role_assignments
    )


def _lead(incident: Incident) -> str | None:
    for a in incident.incident_role_assignments:
        if a.role.role_type == "lead" and a.assignee is not None:
            # A name, not a mention: the answer may be an inline modal error, which is plain text.
            return escape(a.assignee.name)
    return None
