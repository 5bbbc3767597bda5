"""README's sandbox section documents every prompt command the sandbox's own `help` lists, and
no other."""

from __future__ import annotations

import re
from pathlib import Path

from sandbox.prompt import HELP

README = Path(__file__).resolve().parents[2] / "README.md"
# In HELP, a command starts an indented line: "  :add-to <text>   the ...", "  state   the ...".
_LISTED = re.compile(r"^  ([:\w][\w-]*)(?: \S+)? {2,}", re.MULTILINE)
# In README, a command is in backticks: "`:add-to <text>`", "`state`".
_WRITTEN = re.compile(r"`(:[\w-]+|state|help|quit)\b")
# The prompt takes these too, as the words help lists.
_ALIASES = {":help": "help", ":state": "state", ":quit": "quit"}


def sandbox_section() -> str:
    text = README.read_text()
    start = text.index("## The sandbox")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_documents_what_the_prompt_help_lists() -> None:
    listed = set(_LISTED.findall(HELP))
    assert {":declare-from", ":add-to", ":declare", ":channel", "state", "help", "quit"} <= listed
    written = {_ALIASES.get(word, word) for word in _WRITTEN.findall(sandbox_section())}
    assert written == listed
