"""Block Kit and message checks the fake Slack runs on everything the bot sends.

slack_sdk's models catch most malformed blocks (`Block.parse(...).to_dict()` raises
SlackObjectFormationError), but Slack enforces more than slack_sdk does and slack_sdk silently
drops unknown elements and turns plain strings into text objects. The limits below are the
ones SLACK-NOTES.md §3 and §8 list as "not enforced" by slack_sdk.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
VIEW_MAX_BYTES = 250_000
MESSAGE_TEXT_MAX = 40_000
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
CONTEXT_ELEMENTS_MAX = 10
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
CHOICE_OPTIONS_MAX = 10  # checkboxes and radio_buttons
INPUT_MAX_LENGTH_RANGE = (1, 3000)
INPUT_MIN_LENGTH_RANGE = (0, 3000)
VIEW_STACK_MAX = 3
RESPONSE_URL_MAX_USES = 5

# Keys whose value Slack requires to be a text object even where slack_sdk accepts a string.
_TEXT_OBJECT_KEYS = frozenset(
    {"text", "label", "placeholder", "hint", "title", "description", "submit", "close"}
    | {"confirm", "deny"}
)
# Objects whose own "text" is a plain string.
_STRING_TEXT_TYPES = frozenset({"plain_text", "mrkdwn", "markdown"})
# slack_sdk catches these when a dict does not fit its model (missing or unexpected arguments).
_SDK_ERRORS = (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError)
_BROADCAST = re.compile(r"<!(channel|here|everyone)(\|[^>]*)?>")
_BARE_BROADCAST = re.compile(r"(?<![\w<])@(channel|here|everyone)\b")

Surface = Literal["message", "view"]
IdScope = Literal["view", "block"]


@dataclass(frozen=True)
class Problem:
    """One validation failure: the Slack error name to answer with and what is wrong."""

    error: str
    detail: str


def _element_types() -> frozenset[str]:
    found: set[str] = {"plain_text", "mrkdwn"}
    pending: list[type[BlockElement]] = [BlockElement]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        element_type = getattr(cls, "type", None)
        if isinstance(element_type, str):
            found.add(element_type)
    return frozenset(found)


def _walk(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object under `node` with its JSON path; rich_text subtrees use string texts."""
    if isinstance(node, dict):
        if node.get("type") == "rich_text":
            return
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _as_list(node: Any) -> list[Any]:
    return node if isinstance(node, list) else []


def _text_of(node: Any) -> str:
    return str(node.get("text", "")) if isinstance(node, dict) else ""


def _option_problems(path: str, options: Any) -> Iterator[str]:
    for index, option in enumerate(_as_list(options)):
        if not isinstance(option, dict):
            continue
        where = f"{path}[{index}]"
        if len(_text_of(option.get("text"))) > OPTION_TEXT_MAX:
            yield f"{where}: option text longer than {OPTION_TEXT_MAX}"
        if len(_text_of(option.get("description"))) > OPTION_TEXT_MAX:
            yield f"{where}: option description longer than {OPTION_TEXT_MAX}"
        if len(str(option.get("value", ""))) > OPTION_VALUE_MAX:
            yield f"{where}: option value longer than {OPTION_VALUE_MAX}"


def _node_problems(path: str, node: dict[str, Any], known: frozenset[str]) -> Iterator[str]:
    kind = node.get("type")
    if kind not in _STRING_TEXT_TYPES:
        for key in sorted(_TEXT_OBJECT_KEYS & node.keys()):
            if isinstance(node[key], str):
                yield f"{path}.{key}: must be a text object, not a string"
    for key in ("accessory", "element"):
        child = node.get(key)
        if isinstance(child, dict) and child.get("type") not in known:
            yield f"{path}.{key}: unknown element type {child.get('type')!r}"
    if kind in ("actions", "context"):
        for index, child in enumerate(_as_list(node.get("elements"))):
            if isinstance(child, dict) and child.get("type") not in known:
                yield f"{path}.elements[{index}]: unknown element type {child.get('type')!r}"
    if kind == "section":
        if len(_text_of(node.get("text"))) > SECTION_TEXT_MAX:
            yield f"{path}: section text longer than {SECTION_TEXT_MAX}"
        fields = _as_list(node.get("fields"))
        if len(fields) > SECTION_FIELDS_MAX:
            yield f"{path}: more than {SECTION_FIELDS_MAX} section fields"
        for index, field in enumerate(fields):
            if len(_text_of(field)) > SECTION_FIELD_TEXT_MAX:
                yield f"{path}.fields[{index}]: longer than {SECTION_FIELD_TEXT_MAX}"
    elif kind == "header" and len(_text_of(node.get("text"))) > HEADER_TEXT_MAX:
        yield f"{path}: header text longer than {HEADER_TEXT_MAX}"
    elif kind == "context" and len(_as_list(node.get("elements"))) > CONTEXT_ELEMENTS_MAX:
        yield f"{path}: more than {CONTEXT_ELEMENTS_MAX} context elements"
    elif kind in ("checkboxes", "radio_buttons"):
        if len(_as_list(node.get("options"))) > CHOICE_OPTIONS_MAX:
            yield f"{path}: more than {CHOICE_OPTIONS_MAX} {kind} options"
    elif kind == "plain_text_input":
        yield from _input_length_problems(path, node)
    yield from _initial_option_problems(path, node)
    yield from _option_problems(f"{path}.options", node.get("options"))
    yield from _option_problems(f"{path}.initial_options", node.get("initial_options"))
    if isinstance(node.get("initial_option"), dict):
        yield from _option_problems(f"{path}.initial_option", [node["initial_option"]])
    for index, group in enumerate(_as_list(node.get("option_groups"))):
        if isinstance(group, dict):
            yield from _option_problems(f"{path}.option_groups[{index}]", group.get("options"))


def _option_key(option: dict[str, Any]) -> tuple[str, str]:
    return str(option.get("value", "")), _text_of(option.get("text"))


def _initial_option_problems(path: str, node: dict[str, Any]) -> Iterator[str]:
    """Slack: an initial option "exactly matches one of the options"; an element without options
    of its own (external_select) is exempt, its options come from the app."""
    offered = _as_list(node.get("options")) + [
        option
        for group in _as_list(node.get("option_groups"))
        if isinstance(group, dict)
        for option in _as_list(group.get("options"))
    ]
    if not offered:
        return
    keys = {_option_key(o) for o in offered if isinstance(o, dict)}
    initial = _as_list(node.get("initial_options"))
    if isinstance(node.get("initial_option"), dict):
        initial = [node["initial_option"], *initial]
    for option in initial:
        if isinstance(option, dict) and _option_key(option) not in keys:
            yield f"{path}: initial option {option.get('value')!r} is not one of its options"


def _input_length_problems(path: str, node: dict[str, Any]) -> Iterator[str]:
    for key, (low, high) in (
        ("max_length", INPUT_MAX_LENGTH_RANGE),
        ("min_length", INPUT_MIN_LENGTH_RANGE),
    ):
        value = node.get(key)
        if value is not None and (not isinstance(value, int) or not low <= value <= high):
            yield f"{path}: plain_text_input {key} must be {low}..{high}, got {value!r}"


def _action_ids(block: dict[str, Any]) -> list[str]:
    return [
        node["action_id"] for _, node in _walk(block, "") if isinstance(node.get("action_id"), str)
    ]


def _duplicate_ids(blocks: list[dict[str, Any]], scope: IdScope) -> Iterator[str]:
    seen_blocks: set[str] = set()
    seen_actions: set[str] = set()
    for index, block in enumerate(blocks):
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_blocks:
                yield f"blocks[{index}]: duplicate block_id {block_id!r}"
            seen_blocks.add(block_id)
        if scope == "block":
            seen_actions = set()
        for action_id in _action_ids(block):
            if action_id in seen_actions:
                yield f"blocks[{index}]: duplicate action_id {action_id!r} within the {scope}"
            seen_actions.add(action_id)


def check_blocks(blocks: Any, *, surface: Surface, action_id_scope: IdScope) -> list[Problem]:
    """Problems with a message's or a view's `blocks` list; empty when Slack would accept it."""
    error = "invalid_blocks" if surface == "message" else "invalid_arguments"
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        return [Problem(error, "blocks must be a list of objects")]
    limit = MESSAGE_MAX_BLOCKS if surface == "message" else VIEW_MAX_BLOCKS
    details: list[str] = []
    if len(blocks) > limit:
        details.append(f"{len(blocks)} blocks, more than {limit}")
    known = _element_types()
    for index, raw in enumerate(blocks):
        try:
            parsed = Block.parse(copy.deepcopy(raw))
            if parsed is None:
                details.append(f"blocks[{index}]: unknown block type {raw.get('type')!r}")
            else:
                parsed.to_dict()
        except _SDK_ERRORS as exc:
            details.append(f"blocks[{index}]: {exc}")
        details.extend(
            d
            for path, node in _walk(raw, f"blocks[{index}]")
            for d in _node_problems(path, node, known)
        )
    details.extend(_duplicate_ids(blocks, action_id_scope))
    return [Problem(error, detail) for detail in details]


def check_view(
    view: Any,
    *,
    action_id_scope: IdScope = "view",
    blocks_check: Callable[[Any], list[Problem]] | None = None,
) -> list[Problem]:
    """Problems with a view object passed to views.open/push/update/publish; `blocks_check`,
    when given, stands in for `check_blocks` on its blocks (the fake Slack's memoised one)."""
    if not isinstance(view, dict):
        return [Problem("invalid_arguments", "view must be a JSON object")]
    problems: list[Problem] = []
    size = len(json.dumps(view, separators=(",", ":")).encode())
    if size > VIEW_MAX_BYTES:
        problems.append(Problem("view_too_large", f"view is {size} bytes, over {VIEW_MAX_BYTES}"))
    # Blocks are checked one by one below (with their index), so slack_sdk sees a stand-in here.
    outline = {**view, "blocks": [{"type": "divider"}]}
    try:
        View(**outline).to_dict()
    except _SDK_ERRORS as exc:
        problems.append(Problem("invalid_arguments", f"view: {exc}"))
    for key in ("title", "submit", "close"):
        if isinstance(view.get(key), str):
            problems.append(Problem("invalid_arguments", f"view.{key}: must be a text object"))
    blocks = view.get("blocks")
    if not blocks:
        problems.append(Problem("invalid_arguments", "view must have at least one block"))
        return problems
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if view.get("type") == "modal" and has_input and not view.get("submit"):
        problems.append(Problem("invalid_arguments", "must define submit to use input block"))
    if blocks_check is None:
        problems.extend(check_blocks(blocks, surface="view", action_id_scope=action_id_scope))
    else:
        problems.extend(blocks_check(blocks))
    return problems


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def broadcasts(args: dict[str, Any]) -> list[str]:
    """Channel-wide mentions in a message's text, blocks or attachments."""
    found: list[str] = []
    content = [args.get(key) for key in ("text", "blocks", "attachments")]
    for text in _strings(content):
        found.extend(match.group(0) for match in _BROADCAST.finditer(text))
        if args.get("link_names") in (True, 1, "1", "true"):
            found.extend(match.group(0) for match in _BARE_BROADCAST.finditer(text))
    return found


def check_message(args: dict[str, Any], *, require_content: bool = True) -> list[Problem]:
    """Problems with a chat.postMessage / postEphemeral / update or response_url body."""
    problems: list[Problem] = []
    text, blocks, attachments = args.get("text"), args.get("blocks"), args.get("attachments")
    if require_content and not (text or blocks or attachments):
        problems.append(Problem("no_text", "message needs text, blocks or attachments"))
    if text is not None and not isinstance(text, str):
        problems.append(Problem("invalid_arguments", "text must be a string"))
    elif text is not None and len(text) > MESSAGE_TEXT_MAX:
        problems.append(
            Problem("msg_too_long", f"text is {len(text)} chars, over {MESSAGE_TEXT_MAX}")
        )
    if blocks is not None:
        problems.extend(check_blocks(blocks, surface="message", action_id_scope="block"))
    for mention in broadcasts(args):
        problems.append(Problem("invalid_arguments", f"broadcast mention {mention} in message"))
    return problems
