"""Slack text at the border, both ways.

Slack sends text as escaped mrkdwn: `&`, `<` and `>` arrive as `&amp;`, `&lt;`, `&gt;`, and whatever
Slack itself means (links, mentions, broadcasts, dates) arrives as `<...>` control sequences.
incident.io stores Markdown. Stored as received, an incident would read `&amp;` and `<@U0123>`;
echoed back into Slack unescaped, any incident text could carry `<!channel>` or a forged link. So
text crosses here and nowhere else: `mentions` and `from_slack` inbound (after `message_text` has
found a message's words), `to_mrkdwn`, `escape` and `link` outbound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.slackmessage import message_text

__all__ = [
    "Mentions",
    "Names",
    "escape",
    "from_slack",
    "link",
    "mentions",
    "message_text",
    "quote",
    "to_mrkdwn",
    "truncate",
]

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_ZERO_WIDTH = "\u2060"


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: no `<!channel>`, no forged links or mentions.

    Slack's own rule is to escape &, < and >; `@here` written plainly is also defused, because
    `link_names` or a future client default could turn it into a broadcast.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + _ZERO_WIDTH + m.group(1), escaped)


def quote(text: str) -> str:
    """Decoded text as an inert mrkdwn block quote, line by line: what a person typed, shown
    back to them to copy."""
    return ">" + escape(text).replace("\n", "\n>")


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def link(url: str, label: str) -> str:
    """A mrkdwn link whose label is user text (escaped) and whose URL came from an API."""
    return f"<{_safe_url(url)}|{escape(label).replace('|', '¦')}>"


def _safe_url(url: str) -> str:
    return url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


# ---------------------------------------------------------------------------------------------
# Inbound: Slack text -> Markdown


@dataclass(frozen=True)
class Names:
    """Display names looked up by the caller, by ID; a missing name falls back to the label or ID."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    usergroups: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mentions:
    """IDs referenced by control sequences, each once, in order of first appearance."""

    users: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    usergroups: tuple[str, ...] = ()


# One pass over both, so `&amp;lt;` decodes to `&lt;` and not on to `<`.
_TOKEN = re.compile(r"<([^<>]*)>|&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_ENTITY = re.compile(r"&(amp|lt|gt);")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_REFERENCES = (("@", "user"), ("#", "channel"), ("!subteam^", "usergroup"))
_SPECIALS = frozenset({"here", "channel", "everyone"})
_MD_LABEL = re.compile(r"[\\\[\]]")


def _decode(text: str) -> str:
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def _reference(target: str) -> tuple[str, str] | None:
    for prefix, kind in _REFERENCES:
        if target.startswith(prefix) and len(target) > len(prefix):
            return kind, target[len(prefix) :]
    return None


def mentions(text: str) -> Mentions:
    """The user, channel and user-group IDs in `text` (as Slack sends it), for name lookups."""
    found: dict[str, dict[str, None]] = {"user": {}, "channel": {}, "usergroup": {}}
    for match in _TOKEN.finditer(text):
        ref = _reference((match.group(1) or "").partition("|")[0])
        if ref is not None:
            found[ref[0]][ref[1]] = None
    return Mentions(tuple(found["user"]), tuple(found["channel"]), tuple(found["usergroup"]))


def from_slack(text: str, names: Names | None = None) -> str:
    """Text as Slack sends it, as Markdown: entities decoded, control sequences made readable.

    Only `&amp;`, `&lt;` and `&gt;` are decoded: Slack encodes nothing else, so any other entity
    was typed by a person. mrkdwn emphasis is left as typed.
    """
    lookup = names or Names()

    def replace(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            return _ENTITIES[match.group(2)]
        return _control(match.group(1), lookup)

    return _TOKEN.sub(replace, text)


def _control(inner: str, names: Names) -> str:
    target, _, raw_label = inner.partition("|")
    # `<#C123|>` occurs in real payloads: an empty label is no label.
    label = _decode(raw_label) or None
    ref = _reference(target)
    if ref is not None:
        kind, ident = ref
        table = {"user": names.users, "channel": names.channels, "usergroup": names.usergroups}
        sigil = "#" if kind == "channel" else "@"
        return sigil + (table[kind].get(ident) or label or ident).removeprefix(sigil)
    if target.startswith("!"):
        word = target[1:]
        if word in _SPECIALS:
            return "@" + word
        if word.startswith("date^"):
            return label or _date(word) or _decode(target)
        return label or _decode(target)
    if _SCHEME.match(target):
        return _markdown_link(_decode(target), label)
    # Not a sequence Slack documents: keep what a reader would see rather than drop it.
    return label or _decode(inner)


def _date(word: str) -> str:
    parts = word.split("^")
    try:
        moment = datetime.fromtimestamp(int(parts[1]), UTC)
    except (IndexError, ValueError, OverflowError, OSError):
        return ""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _markdown_link(url: str, label: str | None) -> str:
    if label is None or label == url:
        return url
    if url.lower().startswith("mailto:") and label == url[len("mailto:") :]:
        return label
    # Parentheses and spaces would end a Markdown destination early; brackets, the label.
    destination = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    text = _MD_LABEL.sub(r"\\\g<0>", label)
    return f"[{text}]({destination})"


# ---------------------------------------------------------------------------------------------
# Outbound: Markdown -> mrkdwn. Everything not recognised as markup goes through `escape`, so the
# only `<` in the output opens a link this module built from an http(s) or mailto URL.

_LINKABLE = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_BULLET = re.compile(r"([ \t]*)[-*+][ \t]+(.*)")
_ORDERED = re.compile(r"([ \t]*\d{1,9}[.)][ \t]+)(.*)")
_QUOTE = re.compile(r" {0,3}>[ \t]?(.*)")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Spans are bounded: a long line of unmatched markers then costs time linear in its length.
_INLINE = re.compile(
    r"\\(?P<esc>[!-/:-@\[-`{-~])"
    r"|(?P<tick>`+)(?P<code>.{1,1000}?)(?P=tick)"
    r"|!?\[(?P<label>(?:\\.|[^\\\[\]]){0,1000})\]\((?P<url>(?:[^\s()\\]|\\.|\([^\s()]*\)){0,4000})\)"
    r"|<(?P<auto>(?:https?://|mailto:)[^\s<>]{1,4000})>"
    r"|\*\*(?P<b1>\S(?:.{0,500}?\S)?)\*\*"
    r"|(?<![0-9A-Za-z_])__(?P<b2>\S(?:.{0,500}?\S)?)__(?![0-9A-Za-z_])"
    r"|~~(?P<strike>\S(?:.{0,500}?\S)?)~~"
    r"|\*(?P<i1>[^\s*](?:.{0,500}?[^\s*])?)\*"
    r"|(?<![0-9A-Za-z_])_(?P<i2>[^\s_](?:.{0,500}?[^\s_])?)_(?![0-9A-Za-z_])",
    re.IGNORECASE,
)
# Deeper emphasis is only produced by hostile input; beyond this it is shown as plain text.
_MAX_DEPTH = 8


def to_mrkdwn(markdown: str) -> str:
    """incident.io Markdown as Slack mrkdwn, with every piece of user text escaped."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.replace("\r\n", "\n").split("\n"):
        match = _FENCE.fullmatch(line)
        if fence is None and match is not None:
            # Slack shows an info string (```python) as code, so it is dropped.
            fence = match.group(1)
            out.append("```")
        elif fence is not None:
            closing = (
                match is not None
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and not match.group(2).strip()
            )
            out.append("```" if closing else escape(line))
            fence = None if closing else fence
        else:
            out.append(_line(line))
    if fence is not None:
        out.append("```")
    return "\n".join(out)


def _line(line: str) -> str:
    if match := _HEADING.fullmatch(line):
        # The heading is bold already; bold inside it would close it early.
        title = _inline((match.group(1) or "").replace("**", ""))
        return f"*{title}*" if title else ""
    if match := _BULLET.fullmatch(line):
        return f"{match.group(1)}• {_inline(match.group(2))}"
    if match := _ORDERED.fullmatch(line):
        return match.group(1) + _inline(match.group(2))
    if match := _QUOTE.fullmatch(line):
        # A raw `>` only means a quote at the start of a line; it cannot open a control sequence.
        return "> " + _inline(match.group(1))
    return _inline(line)


def _inline(text: str, depth: int = 0) -> str:
    if depth > _MAX_DEPTH:
        return escape(_UNESCAPE.sub(r"\1", text))
    out: list[str] = []
    plain: list[str] = []
    pos = 0
    for match in _INLINE.finditer(text):
        plain.append(text[pos : match.start()])
        pos = match.end()
        if match.group("esc") is not None:
            # Joined to its neighbours before escaping, so `\@here` is defused like `@here`.
            plain.append(match.group("esc"))
            continue
        out.append(escape("".join(plain)))
        plain.clear()
        out.append(_span(match, depth + 1))
    plain.append(text[pos:])
    out.append(escape("".join(plain)))
    return "".join(out)


def _span(match: re.Match[str], depth: int) -> str:
    groups = match.groupdict()
    if groups["code"] is not None:
        return "`" + escape(groups["code"]) + "`"
    if groups["url"] is not None:
        return _link(_UNESCAPE.sub(r"\1", groups["url"]), _plain(groups["label"] or ""))
    if groups["auto"] is not None:
        return f"<{_safe_url(groups['auto'])}>"
    inner = groups["b1"] or groups["b2"]
    if inner is not None:
        return "*" + _inline(inner, depth) + "*"
    if groups["strike"] is not None:
        return "~" + _inline(groups["strike"], depth) + "~"
    return "_" + _inline(groups["i1"] or groups["i2"] or "", depth) + "_"


def _plain(label: str) -> str:
    # A Slack link label cannot carry emphasis; show the words without the markers.
    return _UNESCAPE.sub(r"\1", re.sub(r"\*\*|__|~~|`", "", label))


def _link(url: str, label: str) -> str:
    label = label or url
    if _LINKABLE.match(url):
        return link(url, label)
    # javascript:, data:, relative paths...: visible, never clickable.
    return escape(label) if label == url else f"{escape(label)} ({escape(url)})"
