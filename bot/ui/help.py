"""The help message: the subcommands the person may use, with an example each."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import Block

from bot.command import USAGE, Verb
from bot.rules import Action
from bot.ui.blocks import context, header, section

_WHAT: dict[Verb, str] = {
    Verb.DECLARE: "Open the form to declare a new incident.",
    Verb.UPDATE: "Share an update; without a message, a form that can also change status or severity.",
    Verb.ESCALATE: "Raise the severity, with a reason.",
    Verb.RESOLVE: "Close the incident (or move it to post-incident) with a closing message.",
    Verb.EDIT: "Change the name, summary, call link or custom fields.",
    Verb.LIST: "Public incidents that are open or in post-incident.",
    Verb.SHOW: "One incident: severity, status, roles, links, latest updates and pages.",
    Verb.ROLES: "Who holds each role: a form with a person picker per role.",
    Verb.LEAD: "Make the person (picked as you type `@`) the incident's lead.",
    Verb.PAGE: "Page an escalation path (who is on call) or people, for the incident.",
    Verb.ONCALL: "Who is on call now, and until when: every schedule, or those named.",
    Verb.HELP: "This message.",
}
# Verbs that change incidents, which the policy may keep from a person, and its rule for each.
WRITES: dict[Verb, Action] = {
    Verb.DECLARE: Action.DECLARE,
    Verb.UPDATE: Action.UPDATE,
    Verb.ESCALATE: Action.ESCALATE,
    Verb.RESOLVE: Action.RESOLVE,
    Verb.ROLES: Action.ROLES,
    Verb.LEAD: Action.ROLES,
    Verb.EDIT: Action.EDIT,
    Verb.PAGE: Action.PAGE,
}

# The verbs a person may use -> who else the rule limits it to ("the incident's lead"), if any.
Shown = Mapping[Verb, str | None]


def usage_line(verb: Verb) -> str:
    syntax, example = USAGE[verb]
    return f"Usage: `{syntax}`, for example `{example}`"


def _everything() -> dict[Verb, str | None]:
    return dict.fromkeys(_WHAT)


def help_text(shown: Shown | None = None) -> str:
    shown = _everything() if shown is None else shown
    lines = [
        f"• `{USAGE[v][0]}`: {_WHAT[v]}"
        + (f" (only {shown[v]})" if shown[v] else "")
        + f" e.g. `{USAGE[v][1]}`"
        for v in _WHAT
        if v in shown
    ]
    refs = (
        "`[ref]` is `INC-123`, `123`, `#123` or an incident ID; left out in an incident's "
        "channel it means that incident, elsewhere the form lets you pick one."
    )
    return (
        "*/incident* runs incidents in incident.io from Slack.\n" + "\n".join(lines) + f"\n{refs}"
    )


def help_blocks(shown: Shown | None = None) -> list[Block]:
    shown = _everything() if shown is None else shown
    shortcuts = [
        name
        for name, verb in (("*Declare incident*", Verb.DECLARE), ("*Add to incident*", Verb.UPDATE))
        if verb in shown
    ]
    blocks = [header("/incident"), section(help_text(shown))]
    if shortcuts:
        blocks.append(context(f"Message shortcuts: {' and '.join(shortcuts)} (⋯ on a message)."))
    if any(v not in shown for v in WRITES):
        blocks.append(context("Commands that are not open to you here are left out."))
    return blocks
