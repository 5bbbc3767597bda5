"""The words of a Slack message object, as Slack text (still escaped; decode with `from_slack`).

A message's content is not always in `text`: alerting bots leave it empty and write attachments;
apps write blocks and put a short notification fallback in `text`; people's messages carry both
`text` and a `rich_text` rendering of the same words. Payloads are read defensively: a key that is
absent, null or of the wrong type counts as empty, and nothing here raises on odd shapes.

Duplication rule, in order:
1. A non-empty `text` makes every `rich_text` block redundant: Slack derives one from the other.
2. Other blocks are rendered; if they contain `text` (compared without emphasis marks and
   whitespace), `text` was their fallback and is dropped. For a bot message (`bot_id` or subtype
   `bot_message`) attachments count too, as bots' `text` is a notification summary; a person's
   `text` is always kept, however short.
3. An attachment that previews a URL already in `text` (`original_url`/`from_url`) is skipped; a
   forwarded message, whose permalink is not in `text`, is kept.
4. Parts are emitted as text, blocks, attachments; a part equal to an earlier one is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_EMPHASIS = re.compile(r"[*_~`]")
_SPACE = re.compile(r"\s+")
_ID = re.compile(r"[A-Za-z0-9._-]+")
_EMOJI = re.compile(r"[^\s:<>&|]+")
_BROADCASTS = frozenset({"here", "channel", "everyone"})
_REFERENCES = {"user": "<@{}>", "channel": "<#{}>", "usergroup": "<!subteam^{}>"}
_STYLES = (("code", "`"), ("italic", "_"), ("bold", "*"), ("strike", "~"))


def message_text(message: Mapping[str, Any]) -> str:
    """Everything a reader sees in `message`, one part per line group, in Slack's encoding."""
    if not isinstance(message, Mapping):
        return ""
    text = _str(message, "text")
    text = text if text.strip() else ""
    blocks = [b for b in _dicts(message, "blocks") if not (text and _str(b, "type") == "rich_text")]
    from_blocks = _join(_block(b) for b in blocks)
    attachments = [_attachment(a) for a in _dicts(message, "attachments") if not _previews(a, text)]
    is_bot = bool(_str(message, "bot_id")) or _str(message, "subtype") == "bot_message"
    covering = _join([from_blocks, *(attachments if is_bot else [])])
    if text and covering and _squash(text) in _squash(covering):
        text = ""
    parts: list[str] = []
    seen: set[str] = set()
    for part in (text, from_blocks, *attachments):
        key = _squash(part)
        if key and key not in seen:
            seen.add(key)
            parts.append(part)
    return "\n".join(parts)


def _str(obj: object, key: str) -> str:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _int(obj: object, key: str, cap: int) -> int:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return min(max(value, 0), cap) if isinstance(value, int) and not isinstance(value, bool) else 0


def _dicts(obj: object, key: str) -> list[Mapping[str, Any]]:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text_object(value: object) -> str:
    # A bare string where a Block Kit text object belongs is accepted as its text.
    return value if isinstance(value, str) else _str(value, "text")


def _join(parts: Iterable[str]) -> str:
    return "\n".join(part for part in parts if part.strip())


def _squash(text: str) -> str:
    return _SPACE.sub(" ", _EMPHASIS.sub("", text)).strip()


def _encode(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _url(url: str) -> str:
    # URLs in payload fields are left as they came (Slack may already have escaped `&`); only
    # what would break the `<url|label>` sequence is encoded.
    return url.strip().replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def _previews(attachment: Mapping[str, Any], text: str) -> bool:
    url = _str(attachment, "original_url") or _str(attachment, "from_url")
    return bool(text and url and (url in text or url.replace("&", "&amp;") in text))


def _attachment(attachment: Mapping[str, Any]) -> str:
    # Attachment fields are mrkdwn or plain text that Slack returns escaped, so they are used as is.
    lines = [_str(attachment, "pretext"), _str(attachment, "author_name")]
    title, title_link = _str(attachment, "title"), _url(_str(attachment, "title_link"))
    lines.append(f"<{title_link}|{title}>" if title and title_link else title)
    lines.append(_str(attachment, "text"))
    for item in _dicts(attachment, "fields"):
        name, value = _str(item, "title"), _str(item, "value")
        lines.append(f"{name}: {value}" if name and value else name or value)
    lines.append(_str(attachment, "footer"))
    lines.append(_join(_block(b) for b in _dicts(attachment, "blocks")))
    content = _join(lines)
    return content or _str(attachment, "fallback")


def _block(block: Mapping[str, Any]) -> str:
    # mrkdwn and plain_text objects come back from Slack escaped (bolt-python#513); only
    # rich_text elements and `markdown` blocks hold raw text that must be encoded here.
    kind = _str(block, "type")
    if kind == "rich_text":
        return _join(_rich_part(e) for e in _dicts(block, "elements"))
    if kind == "context":
        return " ".join(t for t in map(_text_object, _elements(block)) if t)
    if kind == "markdown":
        return _encode(_str(block, "text"))
    # section, header, and unknown kinds: whatever text and fields they carry. Actions, images,
    # dividers and inputs carry none.
    fields = map(_text_object, _elements(block, "fields"))
    return _join([_text_object(block.get("text")), *fields])


def _elements(obj: Mapping[str, Any], key: str = "elements") -> list[object]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _rich_part(element: Mapping[str, Any]) -> str:
    kind = _str(element, "type")
    if kind == "rich_text_list":
        indent = "    " * _int(element, "indent", 8)
        offset = _int(element, "offset", 10**6)
        ordered = _str(element, "style") == "ordered"
        items = [_section(item).rstrip("\n") for item in _dicts(element, "elements")]
        return "\n".join(
            f"{indent}{offset + n + 1}. {item}" if ordered else f"{indent}• {item}"
            for n, item in enumerate(items)
        )
    body = _section(element).rstrip("\n")
    if not body.strip():
        return ""
    if kind == "rich_text_preformatted":
        return f"```\n{body}\n```"
    if kind == "rich_text_quote":
        return "\n".join("> " + line for line in body.split("\n"))
    return body


def _section(section: Mapping[str, Any]) -> str:
    return "".join(_inline(e) for e in _dicts(section, "elements"))


def _inline(element: Mapping[str, Any]) -> str:
    kind = _str(element, "type")
    style = element.get("style")
    if kind == "text":
        return _styled(_encode(_str(element, "text")), style)
    if kind == "link":
        url, label = _url(_str(element, "url")), _encode(_str(element, "text"))
        if not url:
            return _styled(label, style)
        return _styled(f"<{url}|{label}>" if label else f"<{url}>", style)
    if kind in _REFERENCES:
        ident = _str(element, f"{kind}_id")
        return _REFERENCES[kind].format(ident) if _ID.fullmatch(ident) else ""
    if kind == "emoji":
        name, tone = _str(element, "name"), _int(element, "skin_tone", 6)
        if not _EMOJI.fullmatch(name):
            return _encode(_str(element, "unicode"))
        return f":{name}:" + (f":skin-tone-{tone}:" if tone >= 2 else "")
    if kind == "broadcast":
        word = _str(element, "range")
        return f"<!{word}>" if word in _BROADCASTS else ""
    if kind == "date":
        return _date(element)
    # color, team and future kinds: their text if they have any.
    return _encode(_str(element, "text") or _str(element, "value"))


def _date(element: Mapping[str, Any]) -> str:
    stamp, fallback = _str(element, "timestamp"), _encode(_str(element, "fallback"))
    if not stamp.isdigit():
        return fallback
    token = _str(element, "format") or "{date_short}"
    token = _encode(token).replace("|", "¦").replace("^", "")
    return f"<!date^{stamp}^{token}" + (f"|{fallback}>" if fallback else ">")


def _styled(text: str, style: object) -> str:
    # mrkdwn marks must hug the words: `* bold *` is not bold, so spaces stay outside.
    core = text.strip()
    if not core or not isinstance(style, Mapping):
        return text
    for key, mark in _STYLES:
        if style.get(key) is True:
            core = f"{mark}{core}{mark}"
    start = len(text) - len(text.lstrip())
    return text[:start] + core + text[len(text.rstrip()) :]
