"""Slack's limits hold by construction: every shared builder cuts its texts, and incident.io's
error text is escaped and cut wherever it is shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.failures import describe
from bot.flows.escalate import Escalate
from bot.flows.runner import map_field_errors
from bot.flows.update import Update
from bot.flows.verbs import incident_meta
from bot.ids import Field, Modal
from bot.incidentio.errors import FieldError, TransportError, ValidationError
from bot.incidentio.models import Catalog
from bot.ui.blocks import (
    button,
    context,
    cut_mrkdwn,
    fields_section,
    header,
    modal,
    option,
    section,
)
from bot.ui.common import (
    error_banner,
    message_modal,
    select_input,
    text_input,
    with_request_id,
)
from bot.ui.declare import declare_modal
from bot.ui.escalate import escalate_modal
from bot.ui.refill import refill
from bot.ui.resolve import resolve_modal
from bot.ui.shortcuts import add_message_modal
from bot.ui.update import update_modal
from sandbox.slack_limits import check_blocks, check_view
from tests.unit.org import META, catalog, incident

LONG = "x" * 10_000


def assert_cut(text: str, limit: int) -> None:
    assert len(text) == limit and text.endswith("…")


# --- every text is cut by the builder that makes it ---------------------------------------------


Texts = list[tuple[str, int]]


def builders() -> list[tuple[str, str, Callable[[], dict[str, Any]], Texts]]:
    """(name, what it is, build it from 10 000-character texts, [(path to a text, its limit)])."""
    options = [option(f"o{n}", f"v{n}") for n in range(3)]
    return [
        ("section", "block", lambda: section(LONG).to_dict(), [("text.text", 3000)]),
        ("context", "block", lambda: context(LONG).to_dict(), [("elements.0.text", 3000)]),
        ("header", "block", lambda: header(LONG).to_dict(), [("text.text", 150)]),
        (
            "fields",
            "block",
            lambda: fields_section([LONG] * 12).to_dict(),
            [("fields.0.text", 2000), ("fields.9.text", 2000)],
        ),
        (
            "text input",
            "block",
            lambda: text_input(Field.NAME, LONG, placeholder=LONG, hint=LONG).to_dict(),
            [("label.text", 2000), ("hint.text", 2000), ("element.placeholder.text", 150)],
        ),
        (
            "select",
            "block",
            lambda: select_input(
                Field.SEVERITY, LONG, options, placeholder=LONG, hint=LONG
            ).to_dict(),
            [("label.text", 2000), ("hint.text", 2000), ("element.placeholder.text", 150)],
        ),
        (
            "modal",
            "view",
            lambda: modal(Modal.RESULT, LONG, [section("x")], submit=LONG, close=LONG).to_dict(),
            [("title.text", 24), ("submit.text", 24), ("close.text", 24)],
        ),
        (
            "button",
            "element",
            lambda: button(LONG, action_id="a", url="https://x.io").to_dict(),
            [("text.text", 75)],
        ),
        (
            "option",
            "element",
            lambda: option(LONG, "v", LONG).to_dict(),
            [("text.text", 75), ("description.text", 75)],
        ),
    ]


def at(node: Any, path: str) -> str:
    for key in path.split("."):
        node = node[int(key)] if key.isdigit() else node[key]
    return str(node)


@pytest.mark.parametrize(
    ("kind", "build", "texts"),
    [case[1:] for case in builders()],
    ids=[case[0] for case in builders()],
)
def test_every_shared_builder_cuts_its_texts_to_slacks_limit(
    kind: str, build: Callable[[], dict[str, Any]], texts: Texts
) -> None:
    made = build()  # slack_sdk raises SlackObjectFormationError on a text over its limit
    for path, limit in texts:
        assert_cut(at(made, path), limit)
    if kind == "view":
        assert check_view(made) == []
    elif kind == "block":
        assert check_blocks([made], surface="view", action_id_scope="view") == []


def test_a_section_has_at_most_ten_fields() -> None:
    assert len(fields_section([LONG] * 12).to_dict()["fields"]) == 10


def test_a_cut_never_ends_inside_an_entity_or_a_link() -> None:
    entity = cut_mrkdwn("a" * 2996 + "&amp;b", 3000)
    assert entity == "a" * 2996 + "…"
    linked = cut_mrkdwn("see " + "a" * 2980 + " <https://x.io/path|label>", 3000)
    assert linked.endswith(" …") and "<" not in linked
    assert cut_mrkdwn("short &amp; <@U1>", 3000) == "short &amp; <@U1>"


def long_modals(org: Catalog) -> dict[str, View]:
    here = incident(org)
    meta = incident_meta(META, here)
    update, escalate = Update(), Escalate()
    upd = update.choices(org, meta)
    declare = declare_modal(org, META, banner=LONG)
    return {
        "declare": declare,
        "update": update_modal(here, upd[Field.STATUS], upd[Field.SEVERITY], meta, banner=LONG),
        "escalate": escalate_modal(
            here, escalate.choices(org, meta)[Field.SEVERITY], meta, banner=LONG
        ),
        "resolve": resolve_modal(
            here, org.resolve_statuses(here.incident_status), meta, banner=LONG
        ),
        "add message": add_message_modal(META, here, banner=LONG),
        "refilled": refill({**declare.to_dict(), "state": {"values": {}}}, LONG),
        "result": message_modal(LONG, LONG),
    }


@pytest.mark.parametrize(
    "name", ["declare", "update", "escalate", "resolve", "add message", "refilled", "result"]
)
def test_a_10000_character_error_yields_a_valid_view(name: str) -> None:
    view = long_modals(catalog())[name].to_dict()
    assert check_view(view) == []
    first = view["blocks"][0]
    assert_cut(first["text"]["text"], 3000)


def test_the_request_id_is_never_what_is_cut() -> None:
    shown = error_banner(with_request_id(LONG, "req-123")).to_dict()["text"]["text"]
    assert len(shown) <= 3000
    assert shown.endswith("_request_id: `req-123`_")
    assert "…" in shown


# --- incident.io's text is escaped where it is shown, and cut -----------------------------------


def test_incident_io_error_text_is_escaped_before_it_is_shown() -> None:
    hostile = "<!channel> & <https://evil.example|click here>"
    error = ValidationError(
        message=hostile, status=422, request_id="r1", errors=[FieldError("bad", hostile)]
    )
    message, request_id = describe(error)
    assert request_id == "r1"
    assert "<" not in message and ">" not in message
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;" in message
    transport, _ = describe(TransportError(message="read <timeout>"))
    assert "read &lt;timeout&gt;" in transport


def test_a_long_incident_io_error_is_cut_where_it_is_described() -> None:
    errors = [FieldError("bad", "m" * 1000) for _ in range(5)]
    message, _ = describe(ValidationError(message="m", status=422, errors=errors))
    assert_cut(message, 3000)


def test_inline_field_errors_stay_plain_text_and_are_cut() -> None:
    # Slack shows `errors` values as plain text: escaped, "<b>" would read "&lt;b&gt;".
    error = ValidationError(
        message="x", status=422, errors=[FieldError("bad", "<b>&</b> " + LONG, field="name")]
    )
    mapped = map_field_errors(error, {"name": Field.NAME.value})
    assert mapped[Field.NAME.value].startswith("<b>&</b> xx")
    assert_cut(mapped[Field.NAME.value], 2000)
