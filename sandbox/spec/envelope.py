"""The error envelope every 4xx/5xx answer carries (API-NOTES §2).

The saved schema lists only success responses; this is the envelope its description (and the
newer schema's `ErrorResponse`) documents.
"""

from __future__ import annotations

from typing import Any

# The `type` each status carries; 408 and 429 have two spellings in the wild.
ERROR_TYPES: dict[int, tuple[str, ...]] = {
    400: ("invalid_request_error",),
    401: ("authentication_error",),
    403: ("resource_forbidden",),
    404: ("not_found",),
    405: ("method_not_allowed",),
    406: ("not_acceptable",),
    408: ("request_timeout", "client_timeout"),
    409: ("conflict",),
    412: ("precondition_failed",),
    413: ("payload_too_large",),
    422: ("validation_error",),
    429: ("too_many_requests", "rate_limit_reached"),
    500: ("api_error",),
}

ERROR_ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "status", "request_id", "errors"],
    "properties": {
        "type": {"type": "string", "minLength": 1},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "request_id": {"type": "string", "format": "uuid"},
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "minLength": 1},
                    "message": {"type": "string", "minLength": 1},
                    "source": {
                        "type": "object",
                        "required": ["field", "pointer"],
                        "additionalProperties": False,
                        "properties": {
                            "field": {"type": "string"},
                            "pointer": {"type": "string"},
                        },
                    },
                    "metadata": {"type": "object"},
                },
            },
        },
        "rate_limit": {
            "type": "object",
            "required": ["name", "limit", "remaining", "retry_after"],
            "properties": {
                "name": {"type": "string"},
                "limit": {"type": "integer"},
                "remaining": {"type": "integer"},
                "retry_after": {"type": "string"},
            },
        },
        "debug": {"type": "object"},
    },
}


def envelope_mismatch(payload: Any, status: int) -> list[str]:
    """What the schema alone cannot say: `status` and `type` must agree with the HTTP status."""
    if not isinstance(payload, dict):
        return []
    problems = []
    if "status" in payload and payload["status"] != status:
        problems.append(f"status: {payload['status']!r} differs from HTTP {status}")
    expected = ERROR_TYPES.get(status) or (("api_error",) if status >= 500 else None)
    if expected and "type" in payload and payload["type"] not in expected:
        problems.append(f"type: {payload['type']!r} is not {' or '.join(expected)} for {status}")
    return problems
