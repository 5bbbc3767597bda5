"""Pure parser for the text after `/incident`: which verb, which incident, what free text.

The text is parsed as Slack sends it (escaped, with control sequences); the free text stays so,
for the flows to decode (slacktext) where it goes: a form, or incident.io."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.refs import REF_HELP, IncidentRef, parse_ref
from bot.slacktext import escape, from_slack


class Verb(StrEnum):
    HELP = "help"
    DECLARE = "declare"
    UPDATE = "update"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    EDIT = "edit"
    LIST = "list"
    SHOW = "show"
    ROLES = "roles"
    LEAD = "lead"
    PAGE = "page"
    ONCALL = "oncall"


USAGE: dict[Verb, tuple[str, str]] = {
    Verb.DECLARE: ("/incident declare [name]", "/incident declare Checkout API returning 500s"),
    Verb.UPDATE: (
        "/incident update [ref] [message]",
        "/incident update INC-42 Rolled back the deploy",
    ),
    Verb.ESCALATE: (
        "/incident escalate [ref] [reason]",
        "/incident escalate INC-42 Error rate still climbing",
    ),
    Verb.RESOLVE: ("/incident resolve [ref] [message]", "/incident resolve INC-42 Fix verified"),
    Verb.EDIT: ("/incident edit [ref]", "/incident edit INC-42"),
    Verb.LIST: ("/incident list", "/incident list"),
    Verb.SHOW: ("/incident show [ref]", "/incident show INC-42"),
    Verb.ROLES: ("/incident roles [ref]", "/incident roles INC-42"),
    Verb.LEAD: ("/incident lead [ref] @person", "/incident lead INC-42 @bea"),
    Verb.PAGE: ("/incident page [ref] [note]", "/incident page INC-42 Checkout still failing"),
    Verb.ONCALL: ("/incident oncall [name]", "/incident oncall platform"),
    Verb.HELP: ("/incident help", "/incident help"),
}

_WORD = re.compile(r"(\S+)\s*(.*)", re.DOTALL)


@dataclass(frozen=True)
class ParsedCommand:
    verb: Verb
    ref: IncidentRef | None = None
    text: str = ""
    # Everything after the verb, for when a reference turns out to be the start of the text
    # ("/incident update 500 errors are back": a bare number that is no incident).
    rest: str = ""
    # The reference was a bare number (not INC-123, #123 or an ID).
    bare_number: bool = False
    # What `show` was given beyond its reference, and ignores.
    ignored: str = ""


class CommandError(ValueError):
    """The text cannot be understood; `message` says why and `verb` picks the usage to show."""

    def __init__(self, message: str, verb: Verb | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.verb = verb


def parse_command(text: str) -> ParsedCommand:
    """Parse `/incident` text. Raises CommandError with a message fit to show the user."""
    head, rest = _first_word(text)
    if not head:
        return ParsedCommand(Verb.HELP)
    try:
        verb = Verb(head.lower())
    except ValueError:
        typed = from_slack(head)
        shown = typed if len(typed) <= 30 else typed[:29] + "…"
        raise CommandError(f"`{escape(shown)}` is not a subcommand I know.") from None
    if verb is Verb.HELP:
        return ParsedCommand(Verb.HELP)
    if verb in (Verb.DECLARE, Verb.ONCALL):
        return ParsedCommand(verb, text=rest)
    if verb is Verb.LIST:
        if rest:
            raise CommandError("`list` takes no arguments.", verb)
        return ParsedCommand(verb)
    ref, remainder = _split_ref(rest)
    if verb is Verb.SHOW and remainder:
        if ref is None:
            shown = escape(_shorten(from_slack(remainder)))
            raise CommandError(f"`{shown}` is not {REF_HELP}.", verb)
        return ParsedCommand(verb, ref=ref, ignored=remainder)
    bare = ref is not None and rest.split(maxsplit=1)[0].isdigit()
    return ParsedCommand(verb, ref=ref, text=remainder, rest=rest, bare_number=bare)


def _first_word(text: str) -> tuple[str, str]:
    """Split off the first word; the rest keeps its line breaks (update messages have them)."""
    match = _WORD.match(text.strip())
    return (match.group(1), match.group(2).strip()) if match else ("", "")


def _split_ref(text: str) -> tuple[IncidentRef | None, str]:
    first, remainder = _first_word(text)
    ref = parse_ref(first) if first else None
    return (ref, remainder) if ref is not None else (None, text)


def _shorten(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"
