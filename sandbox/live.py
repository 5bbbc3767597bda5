"""What the bot sends while the prompt waits for a line (a reminder falling due, a result that
came late), shown as it arrives, not after the next command.

A thread looks every LOOK_EVERY seconds, only while the prompt is reading: the session is the
main thread's again before `read` returns (the thread is joined first). At a terminal the line
being typed is cleared, the news printed, and the prompt and what was typed so far (readline's
buffer) drawn again; with input from a pipe the news goes on a line of its own, then the prompt.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from sandbox.session import Session

LOOK_EVERY = 0.25
_CLEAR_LINE = "\r\x1b[K"


def _readline_buffer() -> Callable[[], str]:
    """What has been typed at the prompt so far. readline is loaded here, before input() first
    reads: input() uses it only when it was loaded by then."""
    try:
        import readline
    except ImportError:  # pragma: no cover - platforms without readline
        return lambda: ""
    return readline.get_line_buffer


class LiveOutput:
    def __init__(
        self,
        session: Session,
        out: TextIO | None = None,
        *,
        terminal: bool | None = None,
        typed: Callable[[], str] | None = None,
    ) -> None:
        self.session, self.out = session, out or sys.stdout
        self.terminal = sys.stdin.isatty() if terminal is None else terminal
        self.typed = typed or (_readline_buffer() if self.terminal else lambda: "")

    @contextmanager
    def reading(self, prompt: str) -> Iterator[None]:
        """While the body reads a line at `prompt`, show what the bot sends."""
        stop = threading.Event()
        looker = threading.Thread(target=self._look, args=(prompt, stop), daemon=True)
        looker.start()
        try:
            yield
        finally:
            stop.set()
            looker.join()

    def _look(self, prompt: str, stop: threading.Event) -> None:
        while not stop.wait(LOOK_EVERY):
            self.show(prompt)

    def show(self, prompt: str) -> None:
        """Print what the bot sent since the session last looked, above the prompt."""
        lines: list[str] = []
        form_before = self.session.form_open
        write, self.session.write = self.session.write, lines.append
        try:
            self.session.show_unseen()
        finally:
            self.session.write = write
        if self.session.form_open and not form_before:
            # The prompt asks for a command still; an empty line lets it ask the form instead.
            lines.append("(a form opened: press Enter to fill it in)")
        if not lines:
            return
        news = "\n".join(lines) + "\n"
        # Either way the prompt ends the output again, where the reader left it.
        if self.terminal:
            self.out.write(_CLEAR_LINE + news + prompt + self.typed())
        else:
            self.out.write("\n" + news + prompt)
        self.out.flush()
