"""Rebuild a submitted modal with a message on top and every value the person entered kept."""

from __future__ import annotations

import copy
from typing import Any

from slack_sdk.models.views import View

from bot.ids import Block as BlockId
from bot.ui.common import error_banner


def _keep_value(element: dict[str, Any], state: dict[str, Any]) -> None:
    kind = state.get("type")
    if kind == "plain_text_input":
        if state.get("value"):
            element["initial_value"] = state["value"]
        else:
            element.pop("initial_value", None)
    elif kind in ("static_select", "external_select", "radio_buttons"):
        if state.get("selected_option"):
            element["initial_option"] = state["selected_option"]
    elif kind == "users_select":
        # Cleared or chosen, as the person left it.
        element["initial_user"] = state.get("selected_user")
        if not element["initial_user"]:
            element.pop("initial_user")
    elif kind in ("checkboxes", "multi_static_select"):
        if state.get("selected_options"):
            element["initial_options"] = state["selected_options"]
        else:
            element.pop("initial_options", None)


def refill(submitted: dict[str, Any], message: str) -> View:
    values: dict[str, Any] = submitted.get("state", {}).get("values", {})
    blocks = []
    for block in copy.deepcopy(submitted.get("blocks", [])):
        if block.get("block_id") == BlockId.ERROR_BANNER.value:
            continue
        if block.get("type") == "input":
            element = block.get("element", {})
            # Read like forms.py reads it: a damaged state keeps the block as it was.
            inputs = values.get(block.get("block_id", ""))
            state = inputs.get(element.get("action_id", "")) if isinstance(inputs, dict) else None
            if isinstance(state, dict):
                _keep_value(element, state)
        blocks.append(block)
    return View(
        type="modal",
        callback_id=submitted.get("callback_id"),
        title=submitted.get("title"),
        submit=submitted.get("submit"),
        close=submitted.get("close"),
        private_metadata=submitted.get("private_metadata"),
        blocks=[error_banner(message).to_dict(), *blocks][:100],
    )
