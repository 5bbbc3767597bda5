"""The error a fake Slack method raises to answer `{"ok": false, "error": ...}`."""

from __future__ import annotations

from collections.abc import Sequence

from sandbox.slack_limits import Problem


class SlackError(Exception):
    """A Slack API error answer.

    `violation` marks errors the bot caused by sending something Slack rejects (they are
    recorded in `FakeSlack.violations`); runtime conditions such as `hash_conflict` or an
    injected failure are not violations.
    """

    def __init__(
        self,
        error: str,
        detail: str = "",
        *,
        violation: bool = True,
        status: int = 200,
        headers: dict[str, str] | None = None,
        messages: Sequence[str] = (),
    ) -> None:
        super().__init__(f"{error}: {detail}" if detail else error)
        self.error = error
        self.detail = detail
        self.violation = violation
        self.status = status
        self.headers = headers or {}
        self.messages = list(messages)

    @classmethod
    def from_problems(cls, problems: Sequence[Problem]) -> SlackError:
        """The first problem names the error; every problem goes into response_metadata."""
        return cls(
            problems[0].error,
            "; ".join(p.detail for p in problems),
            messages=[f"[ERROR] {p.detail}" for p in problems],
        )


def require(args: dict[str, object], name: str, error: str = "invalid_arguments") -> str:
    """A required string argument, or the Slack error for its absence."""
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise SlackError(error, f"missing required argument {name!r}")
    return value
