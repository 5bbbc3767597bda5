"""Every payload of the real corpus (tests/data/real/slack, written by others) replayed through the
signed HTTP path, adapted only to our command, callback and action IDs and to the fake Slack's
trigger and response URLs. Per payload: never a 5xx, never a traceback, never "no answer"."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.ids import SLASH_COMMAND, Action, Field, Modal, Shortcut
from bot.workspace import workspace
from sandbox.driver import SlackDriver, SlackResponse
from tests.hostile.helpers import (
    assert_answered,
    assert_inert,
    bot_failures,
    since,
    user_facing,
)
from tests.slack.conftest import Harness
from tests.slack.helpers import seed_incident

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real" / "slack"


def corpus(kind: str) -> list[Path]:
    return sorted((CORPUS / kind).glob("*.json"))


def body_of(path: Path) -> dict[str, Any]:
    entry = json.loads(path.read_text())
    body: dict[str, Any] = copy.deepcopy(entry["body"])
    return body


def _slack_ids(h: Harness, body: dict[str, Any]) -> None:
    # Trigger IDs and response URLs are the fake Slack's to give; the rest stays as captured.
    # The app is installed where the payload comes from, so that its person is a member of the
    # installing organisation (tests/slack/test_policy*.py replay people from elsewhere).
    where = workspace(body)
    h.fake.install(where.team_id, where.enterprise_id)
    if "trigger_id" in body:
        body["trigger_id"] = h.fake.new_trigger_id()
    if "response_url" in body:
        body["response_url"] = h.fake.response_url()


async def replay(
    h: Harness,
    web: SlackDriver,
    caplog: pytest.LogCaptureFixture,
    body: dict[str, Any],
    *,
    form: bool,
) -> SlackResponse:
    mark = len(h.fake.calls)
    with caplog.at_level(logging.INFO):
        if form:
            response = await web.post_form({k: str(v) for k, v in body.items()})
        else:
            response = await web.post_payload(body)
        await h.settle()
    calls = since(h, mark)
    assert response.status < 500, response.body
    assert bot_failures(caplog) == []
    assert h.fake.violations == []
    assert_answered(response, calls)
    assert_inert([response], calls)
    return response


@pytest.mark.parametrize("path", corpus("slash_command"), ids=lambda p: p.stem)
@pytest.mark.parametrize("text", ["", "help", "list", "declare Checkout down", "show INC-1"])
async def test_slash_commands(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, path: Path, text: str
) -> None:
    await seed_incident(h)
    body = body_of(path)
    _slack_ids(h, body)
    body.update(command=SLASH_COMMAND, text=text)
    await replay(h, web, caplog, body, form=True)


@pytest.mark.parametrize("path", corpus("message_action"), ids=lambda p: p.stem)
@pytest.mark.parametrize("shortcut", [Shortcut.DECLARE_FROM_MESSAGE, Shortcut.ADD_TO_INCIDENT])
async def test_message_shortcuts(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, path: Path, shortcut: Shortcut
) -> None:
    await seed_incident(h)
    body = body_of(path)
    _slack_ids(h, body)
    body["callback_id"] = shortcut.value
    await replay(h, web, caplog, body, form=False)
    [opened] = [c for c in h.fake.calls if c.method == "views.open" and c.error is None]
    assert opened.args["view"]["callback_id"] in (
        Modal.DECLARE.value,
        Modal.ADD_MESSAGE.value,
        Modal.LOADING.value,
    )


@pytest.mark.parametrize("path", corpus("shortcut"), ids=lambda p: p.stem)
async def test_global_shortcuts(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, path: Path
) -> None:
    body = body_of(path)
    _slack_ids(h, body)
    body["callback_id"] = Shortcut.DECLARE_GLOBAL.value
    await replay(h, web, caplog, body, form=False)


@pytest.mark.parametrize("path", corpus("view_submission"), ids=lambda p: p.stem)
@pytest.mark.parametrize(
    "modal",
    [Modal.DECLARE, Modal.UPDATE, Modal.ESCALATE, Modal.RESOLVE, Modal.ADD_MESSAGE, Modal.PICK],
)
async def test_view_submissions(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, path: Path, modal: Modal
) -> None:
    # Another app's form submitted to ours: its state and metadata mean nothing to us, and the
    # person must still be told so, in the modal.
    body = body_of(path)
    _slack_ids(h, body)
    body["view"]["callback_id"] = modal.value
    response = await replay(h, web, caplog, body, form=False)
    assert response.json().get("response_action") in ("errors", "update")
    assert h.emulator.requests == [] or all(r.method == "GET" for r in h.emulator.requests)


@pytest.mark.parametrize("path", corpus("block_suggestion"), ids=lambda p: p.stem)
async def test_block_suggestions(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, path: Path
) -> None:
    incident = await seed_incident(h)
    body = body_of(path)
    body["action_id"] = body["block_id"] = Field.INCIDENT.value
    body["value"] = ""
    response = await replay(h, web, caplog, body, form=False)
    assert incident.reference in response.body


@pytest.mark.parametrize("path", corpus("block_actions"), ids=lambda p: p.stem)
async def test_block_actions(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, path: Path
) -> None:
    body = body_of(path)
    _slack_ids(h, body)
    for action in body["actions"]:
        action["action_id"] = Action.OPEN_INCIDENT.value
    mark = len(h.fake.calls)
    response = await web.post_payload(body)
    await h.settle()
    # A link button is only acknowledged: Slack opens the link itself.
    assert response.status == 200, response.body
    assert bot_failures(caplog) == [] and h.fake.violations == []
    assert user_facing(since(h, mark)) == []


def test_the_corpus_is_there() -> None:
    counts = {kind.name: len(corpus(kind.name)) for kind in CORPUS.iterdir() if kind.is_dir()}
    assert counts["message_action"] >= 10 and counts["slash_command"] >= 5
    for path in CORPUS.rglob("*.json"):
        entry = json.loads(path.read_text())
        assert entry["source"].get("licence") and (
            entry["source"].get("repo") or entry["source"].get("url")
        ), path
