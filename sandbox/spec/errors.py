"""What a failed schema check reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a request or response does not match the schema.

    `field` is the dotted payload path (`incident_role_assignments.0.user`) or the query parameter,
    `pointer` the JSON pointer into the body; both are None when the problem has no location.
    """

    message: str
    field: str | None = None
    pointer: str | None = None
    code: str = "invalid_value"


class SpecViolation(Exception):
    """A request or response that the schema (or the API's documented rules) rejects.

    `kind` says what an API would answer: "not_found" (404), "method_not_allowed" (405),
    "invalid_request" (400: path, query or unparseable body), "validation" (422: the JSON body),
    or "response" (the response itself is wrong).
    """

    def __init__(self, context: str, problems: list[Problem], kind: str = "invalid_request"):
        self.context = context
        self.problems = problems
        self.kind = kind
        super().__init__(str(self))

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems]

    def __str__(self) -> str:
        return f"{self.context}: " + "; ".join(self.messages)
