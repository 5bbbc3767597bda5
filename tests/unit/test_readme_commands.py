"""README's table of commands and `/incident help` (bot.command.USAGE) name the same arguments."""

from __future__ import annotations

import re
from pathlib import Path

from bot.command import USAGE, Verb

README = Path(__file__).resolve().parents[2] / "README.md"
_ROW = re.compile(r"^\| `/incident (\w+)([^`]*)`", re.MULTILINE)


def _words(words: list[str]) -> set[str]:
    return {word.strip("[]") for word in words}


def test_every_verb_s_arguments_in_the_readme_table_are_those_help_shows() -> None:
    documented: dict[str, set[str]] = {}
    for verb, rest in _ROW.findall(README.read_text()):
        documented.setdefault(verb, set()).update(_words(rest.split()))
    # "/incident update [ref] [message]" -> {"ref", "message"}
    shown = {v.value: _words(USAGE[v][0].split()[2:]) for v in Verb if v != Verb.HELP}
    assert {verb: documented.get(verb, set()) for verb in shown} == shown
