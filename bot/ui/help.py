"""The help message."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.command import USAGE, Verb
from bot.ui.blocks import context, header, section

_WHAT: dict[Verb, str] = {
    Verb.DECLARE: "Open the form to declare a new incident.",
    Verb.UPDATE: "Share an update; without a message, a form that can also change status or severity.",
    Verb.ESCALATE: "Raise the severity, with a reason.",
    Verb.RESOLVE: "Close the incident (or move it to post-incident) with a closing message.",
    Verb.LIST: "Public incidents that are open or in post-incident.",
    Verb.SHOW: "One incident: severity, status, roles, links and latest updates.",
    Verb.HELP: "This message.",
}


def usage_line(verb: Verb) -> str:
    syntax, example = USAGE[verb]
    return f"Usage: `{syntax}`, for example `{example}`"


def help_text() -> str:
    lines = [f"• `{USAGE[v][0]}`: {_WHAT[v]} e.g. `{USAGE[v][1]}`" for v in _WHAT]
    refs = (
        "`[ref]` is `INC-123`, `123`, `#123` or an incident ID; left out in an incident's "
        "channel it means that incident, elsewhere the form lets you pick one."
    )
    return (
        "*/incident* runs incidents in incident.io from Slack.\n" + "\n".join(lines) + f"\n{refs}"
    )


def help_blocks() -> list[Block]:
    return [
        header("/incident"),
        section(help_text()),
        context("Message shortcuts: *Declare incident* and *Add to incident* (⋯ on a message)."),
    ]
