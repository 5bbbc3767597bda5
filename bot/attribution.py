"""Who did what: incident.io records the bot's writes against its API key, so every message the
bot writes ends with the person's name, and every update shown in Slack names that person again."""

from __future__ import annotations

import re

_SIGNATURE = "_Shared from Slack by {who}_"
_SIGNED = re.compile(r"(?:\A|\n\n)_Shared from Slack by (?P<who>[^\n]+)_\s*\Z")


def sign(message: str, user_name: str, user_id: str) -> str:
    """The message as written to incident.io, signed with the Slack handle (or ID) of its author.
    A change with no message of its own is signed too: the signature says who made it."""
    who = f"@{user_name}" if user_name else user_id
    signature = _SIGNATURE.format(who=who)
    return f"{message}\n\n{signature}" if message.strip() else signature


def signed_by(message: str) -> tuple[str, str | None]:
    """The message without the bot's signature, and whom it names (None if unsigned)."""
    found = _SIGNED.search(message)
    if found is None:
        return message, None
    return message[: found.start()], found.group("who")
