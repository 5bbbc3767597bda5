"""Escaping for anything a person typed before it is echoed into Slack mrkdwn."""

from __future__ import annotations

import re

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_ZERO_WIDTH = "\u2060"


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: no `<!channel>`, no forged links or mentions.

    Slack's own rule is to escape &, < and >; `@here` written plainly is also defused, because
    `link_names` or a future client default could turn it into a broadcast.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + _ZERO_WIDTH + m.group(1), escaped)


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def link(url: str, label: str) -> str:
    """A mrkdwn link whose label is user text (escaped) and whose URL came from an API."""
    safe_url = url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe_url}|{escape(label).replace('|', '¦')}>"
