"""What Slack would show, as terminal text: modals, replies and inline form errors.

Pure functions over Block Kit JSON (as the bot sends it and the fake Slack stores it). mrkdwn is
only lightly cleaned (links, mentions, HTML entities); *bold* and `code` marks stay readable.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TOP, SIDE, BOTTOM = "╭─ ", "│ ", "╰─"
OPTIONS_INDENT = "     "
_ANGLE = re.compile(r"<([^<>]*)>")
_KINDS = {
    "plain_text_input": "text",
    "static_select": "select",
    "external_select": "search",
    "radio_buttons": "radio",
    "checkboxes": "checkboxes",
    "multi_static_select": "multi-select",
    "multi_users_select": "people",
}
_SELECTS = ("static_select", "external_select", "radio_buttons")


def _angle(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith(("#", "@")):
        return target[0] + label if label else target
    if target.startswith("!"):
        # <!channel>, <!subteam^ID|@team>, <!date^…|fallback>: the label, else the keyword.
        return label or "@" + target[1:].split("^")[0]
    if label and label != target:
        return f"{label} ({target})"
    return target


def clean_mrkdwn(text: str) -> str:
    """`<url|label>` -> `label (url)`, `<#C1>` -> `#C1`, `<@U1>` -> `@U1`, entities unescaped."""
    return html.unescape(_ANGLE.sub(_angle, text))


def text_of(obj: Any) -> str:
    """A text object (plain_text or mrkdwn) or a bare string, as a person reads it."""
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text", ""))
    return clean_mrkdwn(text) if obj.get("type") == "mrkdwn" else text


def option_label(option: Mapping[str, Any]) -> str:
    return text_of(option.get("text"))


def _button(element: Mapping[str, Any]) -> str:
    label = f"[ {text_of(element.get('text'))} ]"
    return f"{label} {element['url']}" if element.get("url") else label


def _element(element: Any) -> str:
    if not isinstance(element, Mapping):
        return ""
    kind = element.get("type")
    if kind == "button":
        return _button(element)
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind in ("plain_text", "mrkdwn"):
        return text_of(element)
    return f"[{_KINDS.get(str(kind), str(kind))}]"


def block_lines(block: Mapping[str, Any]) -> list[str]:
    """One non-input block as lines of text (inputs are the modal renderer's business)."""
    kind = block.get("type")
    if kind == "header":
        return [f"== {text_of(block.get('text'))} =="]
    if kind == "divider":
        return ["───"]
    if kind == "context":
        return ["  ".join(_element(e) for e in block.get("elements") or [])]
    if kind == "actions":
        return ["  ".join(_element(e) for e in block.get("elements") or [])]
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    if kind == "section":
        lines = text_of(block.get("text")).splitlines() if block.get("text") else []
        for item in block.get("fields") or []:
            lines.extend(text_of(item).splitlines())
        if block.get("accessory"):
            lines.append(_element(block["accessory"]))
        return lines
    return [f"[{kind} block]"]


@dataclass(frozen=True)
class InputField:
    """One input of a modal: what the person sees and can change."""

    block_id: str
    action_id: str
    label: str
    kind: str  # the element type, e.g. plain_text_input
    optional: bool
    multiline: bool = False
    options: list[dict[str, Any]] = field(default_factory=list)
    value: str | None = None  # what it holds now, for display
    chosen: tuple[str, ...] = ()  # values of the selected options
    placeholder: str | None = None
    hint: str | None = None

    @property
    def kind_name(self) -> str:
        name = _KINDS.get(self.kind, self.kind)
        return "multi-line text" if self.multiline else name

    @property
    def has_options(self) -> bool:
        return self.kind in (*_SELECTS, "checkboxes", "multi_static_select")


def _all_options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = [dict(o) for o in element.get("options") or []]
    for group in element.get("option_groups") or []:
        options.extend(dict(o) for o in group.get("options") or [])
    return options


def _current(element: Mapping[str, Any], state: Mapping[str, Any] | None) -> Any:
    """The entered value if Slack holds one for this input, else the element's initial one."""
    kind = element.get("type")
    if kind == "plain_text_input":
        return state.get("value") if state is not None else element.get("initial_value")
    if kind in _SELECTS:
        return state.get("selected_option") if state is not None else element.get("initial_option")
    if kind in ("checkboxes", "multi_static_select"):
        chosen = state.get("selected_options") if state is not None else None
        return chosen if chosen is not None else element.get("initial_options") or []
    if kind == "multi_users_select":
        users = state.get("selected_users") if state is not None else None
        return ", ".join(users if users is not None else element.get("initial_users") or [])
    return None


def input_fields(view: Mapping[str, Any]) -> list[InputField]:
    """The modal's inputs in order, with the values they hold now."""
    values = (view.get("state") or {}).get("values") or {}
    fields = []
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        block_id, action_id = str(block.get("block_id", "")), str(element.get("action_id", ""))
        state = (values.get(block_id) or {}).get(action_id)
        current = _current(element, state)
        picked = current if isinstance(current, list) else [current] if current else []
        shown = ", ".join(option_label(o) for o in picked if isinstance(o, Mapping))
        fields.append(
            InputField(
                block_id=block_id,
                action_id=action_id,
                label=text_of(block.get("label")),
                kind=str(element.get("type", "")),
                optional=bool(block.get("optional", False)),
                multiline=bool(element.get("multiline", False)),
                options=_all_options(element),
                value=current if isinstance(current, str) else (shown or None),
                chosen=tuple(str(o.get("value")) for o in picked if isinstance(o, Mapping)),
                placeholder=text_of(element.get("placeholder")) or None,
                hint=text_of(block.get("hint")) or None,
            )
        )
    return fields


def option_lines(options: Sequence[Mapping[str, Any]], chosen: Sequence[str] = ()) -> list[str]:
    """Numbered options (1-based, as the sandbox prompt takes them), chosen ones marked `*`."""
    lines = []
    for number, opt in enumerate(options, 1):
        mark = "*" if str(opt.get("value")) in chosen else " "
        desc = text_of(opt.get("description"))
        lines.append(f"{mark}{number:>2}) {option_label(opt)}" + (f": {desc}" if desc else ""))
    return lines


def field_lines(item: InputField, error: str | None = None) -> list[str]:
    flags = [item.kind_name] + (["optional"] if item.optional else [])
    head = f"{item.label} [{item.block_id}] ({', '.join(flags)}): "
    if item.value:
        first, *rest = item.value.splitlines() or [""]
        lines = [head + first, *((" " * len(head) + line).rstrip() for line in rest)]
    else:
        empty = f'(empty; "{item.placeholder}")' if item.placeholder else "(empty)"
        lines = [head + empty]
    if item.hint:
        lines.append(f"{OPTIONS_INDENT}hint: {item.hint}")
    if item.kind == "external_select":
        lines.append(f"{OPTIONS_INDENT}(options are searched as you type)")
    else:
        lines.extend(OPTIONS_INDENT + line for line in option_lines(item.options, item.chosen))
    if error:
        lines.append(f"{OPTIONS_INDENT}! {error}")
    return lines


def _boxed(title: str, lines: Sequence[str], footer: str = "") -> str:
    body = [SIDE + line if line else SIDE.rstrip() for line in lines]
    return "\n".join([TOP + title, *body, BOTTOM + (" " + footer if footer else "")])


def render_modal(view: Mapping[str, Any], *, errors: Mapping[str, str] | None = None) -> str:
    """A modal as text: title, blocks, each input with its value and options, and its buttons."""
    errors = errors or {}
    fields = {f.block_id: f for f in input_fields(view)}
    lines: list[str] = []
    for block in view.get("blocks") or []:
        if block.get("type") == "input":
            block_id = str(block.get("block_id", ""))
            lines.extend(field_lines(fields[block_id], errors.get(block_id)))
        else:
            lines.extend(block_lines(block))
    buttons = [f"[ {text_of(view[k])} ]" for k in ("submit", "close") if view.get(k)]
    return _boxed(f"Modal: {text_of(view.get('title'))}", lines, "  ".join(buttons))


def render_message(message: Mapping[str, Any], *, title: str = "Message") -> str:
    """A message as Slack shows it: its blocks, or its text when it has none."""
    blocks = message.get("blocks") or []
    lines: list[str] = []
    if blocks:
        for block in blocks:
            lines.extend(block_lines(block))
    else:
        lines = clean_mrkdwn(str(message.get("text", ""))).splitlines()
    return _boxed(title, lines)


def render_errors(ack: Mapping[str, Any], view: Mapping[str, Any] | None = None) -> str:
    """The inline errors of a `response_action: errors` ack, named by the inputs' labels."""
    errors = ack.get("errors") or {}
    labels = {f.block_id: f.label for f in input_fields(view)} if view else {}
    lines = [f"! {labels.get(key, key)}: {message}" for key, message in errors.items()]
    return "\n".join(lines)
