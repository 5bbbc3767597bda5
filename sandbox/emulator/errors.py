"""incident.io's error envelope: `{type, status, request_id, errors: [{code, message, source}]}`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.spec import ERROR_TYPES, Problem


@dataclass(frozen=True)
class ErrorItem:
    code: str
    message: str
    field: str | None = None
    pointer: str | None = None

    def render(self) -> dict[str, Any]:
        item: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            item["source"] = {"field": self.field, "pointer": self.pointer or f"/{self.field}"}
        return item


@dataclass
class ApiError(Exception):
    """Raised by handlers; the app turns it into the envelope with the request's id."""

    status: int
    errors: list[ErrorItem]
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.errors[0].message if self.errors else str(self.status))

    def envelope(self, request_id: str) -> dict[str, Any]:
        kind = ERROR_TYPES.get(self.status, ("api_error",))[0]
        body = {
            "type": kind,
            "status": self.status,
            "request_id": request_id,
            "errors": [e.render() for e in self.errors],
        }
        body.update(self.extra)
        return body


def error(status: int, code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(status, [ErrorItem(code, message, field)])


def invalid(field: str, message: str, code: str = "invalid_value") -> ApiError:
    """A 422 that names the payload field, so the bot can show it next to the form input."""
    return error(422, code, message, field)


def not_found(what: str) -> ApiError:
    return error(404, "not_found", f"{what} not found")


def from_problems(status: int, problems: list[Problem]) -> ApiError:
    items = [
        ErrorItem(p.code, p.message, p.field, p.pointer if p.field is not None else None)
        for p in problems
    ]
    return ApiError(status, items or [ErrorItem("invalid_request", "invalid request")])
