"""Who sent a request, for the log line of a refusal: the peer's address, and the first hop of
X-Forwarded-For when a proxy added one (marked as such: any client can write that header)."""

from __future__ import annotations

import re

from starlette.requests import Request

# An address or a host name, nothing that could forge another log field or line.
_HOP = re.compile(r"[0-9A-Za-z.:\[\]_-]{1,64}")


def client_address(request: Request) -> str:
    """`10.0.0.7`, or `10.0.0.7 (X-Forwarded-For: 203.0.113.9)` behind a proxy."""
    peer = request.client.host if request.client is not None else "unknown"
    forwarded = request.headers.get("x-forwarded-for", "").split(",", 1)[0].strip()
    if not forwarded:
        return peer
    hop = forwarded if _HOP.fullmatch(forwarded) else "unreadable"
    return f"{peer} (X-Forwarded-For: {hop})"
