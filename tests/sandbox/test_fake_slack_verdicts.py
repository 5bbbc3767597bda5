"""The fake Slack checks a given modal's blocks once and remembers the verdict by their exact
JSON: a repeated bad modal is still refused, anything changed is checked afresh."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.fake_slack import FakeSlack
from sandbox.fake_slack.jsoncopy import json_copy
from sandbox.fake_slack.verdicts import Verdicts
from sandbox.slack_limits import Problem


def modal(label: str, *, meta: str = "") -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": "a"}
    block = {"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": label}}
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "T"},
        "submit": {"type": "plain_text", "text": "Go"},
        "private_metadata": meta,
        "blocks": [{**block, "element": element}],
    }


def counted(verdict: list[str]) -> tuple[Verdicts[str], list[Any]]:
    seen: list[Any] = []

    def check(value: Any) -> list[str]:
        seen.append(value)
        return list(verdict)

    return Verdicts(check, size=2), seen


def test_the_same_json_is_checked_once_and_keeps_its_verdict() -> None:
    verdicts, seen = counted(["bad"])
    assert verdicts([{"a": 1}]) == ["bad"]
    assert verdicts([{"a": 1}]) == ["bad"]  # an equal document, not the same object
    assert len(seen) == 1


def test_anything_different_is_checked_again_even_the_key_order() -> None:
    verdicts, seen = counted([])
    verdicts({"a": 1, "b": 2})
    verdicts({"a": 1, "b": 3})
    verdicts({"b": 2, "a": 1})
    assert len(seen) == 3


def test_only_the_most_recent_texts_are_kept() -> None:
    verdicts, seen = counted([])
    for value in (1, 2, 3, 1):
        verdicts([value])
    assert seen == [[1], [2], [3], [1]]  # [1] was dropped when [3] came


def test_what_is_not_json_is_checked_every_time() -> None:
    verdicts, seen = counted(["bad"])
    odd = {"a": object()}
    assert verdicts(odd) == verdicts(odd) == ["bad"]
    assert len(seen) == 2


def test_a_caller_cannot_change_a_remembered_verdict() -> None:
    verdicts: Verdicts[Problem] = Verdicts(lambda _: [Problem("e", "d")])
    verdicts(1).clear()
    assert verdicts(1) == [Problem("e", "d")]


def test_a_json_copy_is_equal_and_independent() -> None:
    original = {"blocks": [{"text": {"text": "x", "emoji": True}}], "n": None, "f": 1.5}
    copied = json_copy(original)
    assert copied == original
    copied["blocks"][0]["text"]["text"] = "changed"
    assert original["blocks"][0]["text"]["text"] == "x"


async def test_a_repeated_bad_modal_is_refused_every_time(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    bad = modal("x" * 3000)  # a label over Slack's limit
    for _ in range(2):
        with pytest.raises(SlackApiError):
            await slack_client.views_open(trigger_id=fake_slack.new_trigger_id(), view=bad)
    assert len(fake_slack.violations) == 2


async def test_the_same_blocks_under_other_metadata_open_and_a_changed_one_is_refused(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    for meta in ("one", "two"):
        await slack_client.views_open(
            trigger_id=fake_slack.new_trigger_id(), view=modal("L", meta=meta)
        )
    with pytest.raises(SlackApiError):
        await slack_client.views_open(
            trigger_id=fake_slack.new_trigger_id(), view=modal("L", meta="m" * 3001)
        )
    with pytest.raises(SlackApiError):
        await slack_client.views_open(
            trigger_id=fake_slack.new_trigger_id(), view=modal("x" * 3000)
        )
    assert [call.error for call in fake_slack.calls_to("views.open")] == [
        None,
        None,
        "invalid_arguments",
        "invalid_arguments",
    ]
