"""What a person types at the sandbox, as it reads it: the text of a command, the option an
answer names, and the mistakes it says back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.ids import SLASH_COMMAND
from sandbox.render import option_label


class SessionError(Exception):
    """The person asked for something the sandbox cannot do (no open form, unknown field…)."""


def command_text(text: str) -> str:
    """The text after `/incident`, whether or not the person typed the command itself."""
    stripped = text.strip()
    if stripped == SLASH_COMMAND or stripped.startswith(SLASH_COMMAND + " "):
        return stripped[len(SLASH_COMMAND) :].strip()
    return stripped


def _matches(option: Mapping[str, Any], wanted: str) -> bool:
    return str(option.get("value")) == wanted or option_label(option).lower() == wanted.lower()


def pick_option(options: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    """The option a person means by a number (1-based), a label, a value or part of a label."""
    wanted = wanted.strip()
    if wanted.isdigit() and 1 <= int(wanted) <= len(options):
        return options[int(wanted) - 1]
    exact = [o for o in options if _matches(o, wanted)]
    # "INC-1" means "INC-1: Checkout down", not "INC-12: …".
    word = re.compile(re.escape(wanted) + r"\b", re.IGNORECASE)
    leading = [o for o in options if wanted and word.match(option_label(o))]
    partial = [o for o in options if wanted and wanted.lower() in option_label(o).lower()]
    found = exact or leading or partial
    if len(found) == 1 or (found and exact):
        return found[0]
    labels = ", ".join(f"{n}) {option_label(o)}" for n, o in enumerate(options, 1))
    problem = "matches several options" if found else "is not one of the options"
    raise SessionError(f"{wanted!r} {problem}: {labels or 'none'}")


def person_id(people: Mapping[str, Mapping[str, Any]], typed: str) -> str:
    """A person of the fake workspace as a picker holds them: their Slack ID, from the ID or
    the name they go by there (`grace`, `@grace`)."""
    wanted = typed.strip().lstrip("@")
    if wanted in people:
        return wanted
    for user_id, user in people.items():
        if wanted.lower() in (str(user.get("name", "")).lower(), user_id.lower()):
            return user_id
    raise SessionError(f"no one called {wanted!r} in the sandbox's workspace")
