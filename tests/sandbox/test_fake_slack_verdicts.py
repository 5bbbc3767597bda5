"""The fake Slack checks a given modal's blocks once and remembers the verdict by their exact
JSON: a repeated bad modal is still refused, anything changed is checked afresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.fake_slack import FakeSlack
from sandbox.fake_slack.jsoncopy import json_copy
from sandbox.fake_slack.verdicts import Verdicts, typed_values_out
from sandbox.slack_limits import Problem, check_blocks


def modal(label: str, *, meta: str = "", typed: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "a"}
    if typed is not None:
        element["initial_value"] = typed
    block = {"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": label}}
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "T"},
        "submit": {"type": "plain_text", "text": "Go"},
        "private_metadata": meta,
        "blocks": [{**block, "element": element}],
    }


def counted(
    verdict: list[str], shape: Callable[[Any], Any] | None = None
) -> tuple[Verdicts[str], list[Any]]:
    seen: list[Any] = []

    def check(value: Any) -> list[str]:
        seen.append(value)
        return list(verdict)

    return Verdicts(check, size=2, shape=shape), seen


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


def test_modals_that_differ_only_in_what_was_typed_share_one_check() -> None:
    verdicts, seen = counted([], typed_values_out)
    for typed in ("API down", "DB slow", "x" * 5000):
        verdicts(modal("Title", typed=typed)["blocks"])
    assert len(seen) == 1
    assert seen[0][0]["element"]["initial_value"] == ""
    verdicts(modal("Other label", typed="API down")["blocks"])
    assert len(seen) == 2


def test_blanking_what_was_typed_copies_and_leaves_the_rest() -> None:
    blocks = modal("Title", typed="API down")["blocks"]
    other = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    blanked = typed_values_out(blocks + other)
    assert blocks[0]["element"]["initial_value"] == "API down"
    assert blanked[0]["element"] == {**blocks[0]["element"], "initial_value": ""}
    assert blanked[1] is other[0]
    not_a_string = modal("Title", typed="x")["blocks"]
    not_a_string[0]["element"]["initial_value"] = 7
    assert typed_values_out(not_a_string) == not_a_string


@pytest.mark.parametrize(
    "element",
    [
        {"type": "number_input", "is_decimal_allowed": False, "initial_value": "12"},
        {"type": "email_text_input", "initial_value": "sre@example.com"},
        {"type": "url_text_input", "initial_value": "https://example.com"},
    ],
)
def test_only_plain_text_inputs_are_blanked(element: dict[str, Any]) -> None:
    """Other inputs' initial values have a form Slack checks (a number, an address, a URL)."""
    block = {"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "L"}}
    blocks = [{**block, "element": {**element, "action_id": "a"}}]
    assert typed_values_out(blocks) == blocks
    in_actions = [
        {"type": "actions", "elements": [{"type": "plain_text_input", "initial_value": "x"}]}
    ]
    assert typed_values_out(in_actions) == in_actions


@pytest.mark.parametrize(
    "typed",
    ["", "API down", "x" * 5000, "<!channel> & <@U1>", "\u00e9\u00e8 \U0001f525", '{"a": 1}'],
)
def test_no_rule_reads_what_was_typed(typed: str) -> None:
    """The checks give the same verdict with the typed value blanked: if a rule ever reads it,
    this fails, and the fake Slack must stop remembering verdicts without it."""
    lengths: list[dict[str, Any]] = [{}, {"max_length": 0}, {"max_length": 10}]
    lengths += [{"min_length": 5}, {"min_length": 3001}, {"min_length": 5, "max_length": 10}]
    for label, length in [("x" * 3000, {}), *(("Title", each) for each in lengths)]:
        blocks = modal(label, typed=typed)["blocks"]
        blocks[0]["element"].update(length)
        assert check_blocks(blocks, surface="view", action_id_scope="view") == check_blocks(
            typed_values_out(blocks), surface="view", action_id_scope="view"
        )


async def test_a_bad_modal_is_refused_whatever_was_typed_into_it(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    for typed in ("one", "two", "three"):
        await slack_client.views_open(
            trigger_id=fake_slack.new_trigger_id(), view=modal("L", typed=typed)
        )
    for typed in ("one", "four"):
        with pytest.raises(SlackApiError):
            await slack_client.views_open(
                trigger_id=fake_slack.new_trigger_id(), view=modal("x" * 3000, typed=typed)
            )
    opened = fake_slack.calls_to("views.open")
    assert [call.error for call in opened] == [None] * 3 + ["invalid_arguments"] * 2
    assert [
        view["blocks"][0]["element"]["initial_value"] for view in _opened_views(fake_slack)
    ] == [
        "one",
        "two",
        "three",
    ]


def _opened_views(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return [v for v in fake_slack.views.values() if v.get("type") == "modal"]
