"""One exception tree for everything incident.io (or the way to it) can answer.

Each error carries the API's `request_id` when there is one, and a `user_message` fit to show a
person in Slack. No error text ever contains the API key: messages are built from the response
envelope, never from the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One entry of the envelope's `errors[]`."""

    code: str
    message: str
    field: str | None = None
    pointer: str | None = None  # `source.pointer`: where in the body, e.g. /custom_field_entries/0


@dataclass
class IncidentIoError(Exception):
    """Base of every adapter error."""

    message: str
    status: int | None = None
    type: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    # A write that reached incident.io and got no clear answer (a timeout, a 5xx): it may have
    # been applied. Set by the transport, which alone knows what was sent.
    maybe_applied: bool = False

    default_user_message = "incident.io could not complete the request."

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        suffix = f" (request_id {self.request_id})" if self.request_id else ""
        status = f"{self.status} " if self.status else ""
        return f"{status}{self.message}{suffix}"

    @property
    def user_message(self) -> str:
        """What to tell the person in Slack (no request_id; the caller adds it where shown)."""
        detail = "; ".join(e.message for e in self.errors if e.message) or self.message
        return f"{self.default_user_message} {detail}".strip()


class AuthenticationError(IncidentIoError):
    default_user_message = "incident.io rejected the bot's API key. Ask whoever runs the bot."


class PermissionDeniedError(IncidentIoError):
    default_user_message = "The bot's incident.io API key is not allowed to do that."


class NotFoundError(IncidentIoError):
    default_user_message = "incident.io could not find that."


class InvalidRequestError(IncidentIoError):
    default_user_message = "incident.io rejected the request."


class ValidationError(IncidentIoError):
    """422: `errors[].source.field` names the payload field each message belongs to."""

    default_user_message = "incident.io did not accept that:"

    def field_messages(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.errors:
            if e.field:
                out.setdefault(e.field, e.message)
        return out


class ConflictError(IncidentIoError):
    default_user_message = "Someone else changed this incident at the same moment. Try again."


class RateLimitedError(IncidentIoError):
    default_user_message = "incident.io is rate limiting the bot. Try again in a minute."

    retry_after: float | None = None


class ServerError(IncidentIoError):
    default_user_message = "incident.io had a problem and could not complete the request."


class TransportError(IncidentIoError):
    """Timeouts, refused connections, broken TLS: the request may or may not have arrived."""

    default_user_message = "The bot could not reach incident.io."

    @property
    def user_message(self) -> str:
        return f"{self.default_user_message} ({self.message})"


_BY_STATUS: dict[int, type[IncidentIoError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}


def error_from_response(
    status: int, body: Any, header_request_id: str | None = None
) -> IncidentIoError:
    """Build the matching error from a non-2xx status and its (possibly non-JSON) body."""
    envelope = body if isinstance(body, dict) else {}
    raw_errors = envelope.get("errors")
    errors = []
    for item in raw_errors if isinstance(raw_errors, list) else []:
        if not isinstance(item, dict):
            continue
        source = item.get("source") if isinstance(item.get("source"), dict) else {}
        errors.append(
            FieldError(
                code=str(item.get("code", "")),
                message=str(item.get("message", "")),
                field=source.get("field") if isinstance(source, dict) else None,
                pointer=source.get("pointer") if isinstance(source, dict) else None,
            )
        )
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else InvalidRequestError)
    message = errors[0].message if errors else f"HTTP {status}"
    request_id = envelope.get("request_id") or header_request_id
    return cls(
        message=message,
        status=status,
        type=str(envelope["type"]) if "type" in envelope else None,
        request_id=str(request_id) if request_id else None,
        errors=errors,
    )


class UnexpectedResponseError(IncidentIoError):
    """A 2xx answer whose body is not what the schema promised."""

    default_user_message = "incident.io sent an answer the bot did not understand."
