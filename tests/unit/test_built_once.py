"""Work that depends only on the catalog is done once per catalog version; one Slack session."""

from __future__ import annotations

import json

import aiohttp
import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.flows.overflow import with_overflow
from bot.forms import MAX_SUMMARY, DeclareForm
from bot.ids import Field
from bot.slack_session import shared_session
from bot.ui.common import mark_sandbox_view
from bot.ui.declare import declare_choices, declare_modal
from bot.ui.frozen import Frozen, FrozenView, PerCatalog
from tests.unit.org import META, catalog


def test_a_value_is_built_once_per_catalog_and_again_for_a_new_one() -> None:
    built: list[object] = []
    derived = PerCatalog(lambda c: built.append(c) or len(built))
    first, second = catalog(), catalog()
    assert derived(first) == derived(first) == 1
    assert derived(second) == 2  # equal content, but a reload: built again
    assert built == [first, second]


def test_a_frozen_block_serialises_as_the_block_did_and_hands_out_copies() -> None:
    block = SectionBlock(block_id="b", text="*hello*")
    frozen = Frozen(block)
    assert frozen.to_dict() == block.to_dict()
    frozen.to_dict()["text"]["text"] = "changed"
    assert frozen.to_dict() == block.to_dict()
    assert frozen.block_id == "b"


def test_the_declare_form_is_the_same_whether_its_choices_were_cached_or_not() -> None:
    org = catalog(severity_count=150)
    refilled = DeclareForm(name="n", severity_id="sev002", incident_type_id="type001")
    first = declare_modal(org, META, name="Checkout down").to_dict()
    again = declare_modal(org, META, name="Checkout down").to_dict()
    assert first == again
    assert declare_modal(org, META, form=refilled).to_dict()["blocks"][2] != first["blocks"][2]
    offered = declare_choices(org)
    offered[Field.SEVERITY].clear()  # a caller's list is its own
    assert len(declare_choices(org)[Field.SEVERITY]) == 150


async def test_the_slack_client_shares_one_session_while_serving_and_closes_it() -> None:
    client = AsyncWebClient(token="xoxb-test")
    async with shared_session(client):
        session = client.session
        assert isinstance(session, aiohttp.ClientSession) and not session.closed
    assert client.session is None and session.closed


async def test_a_session_the_client_was_given_is_left_alone() -> None:
    async with aiohttp.ClientSession() as own:
        client = AsyncWebClient(token="xoxb-test", session=own)
        async with shared_session(client):
            assert client.session is own
        assert client.session is own and not own.closed


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        (None, None),
        ("Checkout down", None),
        ("Checkout <down> & out", "Impact: *all* of EU\nlinks: <https://example.com|here>"),
        ("n" * 500, "s" * 5000),  # past both inputs' max_length: cut as the typed builder cuts
    ],
)
def test_a_fresh_declare_form_serialises_as_its_typed_view_does(
    name: str | None, summary: str | None
) -> None:
    for org in (catalog(), catalog(severity_count=150, type_count=1)):
        view = declare_modal(org, META, name=name, summary=summary)
        assert isinstance(view, FrozenView)
        assert view.to_dict() == View.to_dict(view)  # the frozen JSON against slack_sdk's
        other = declare_modal(org, META.model_copy(update={"user_id": "U2"}), name=name)
        assert other.to_dict()["private_metadata"] != view.to_dict()["private_metadata"]


def test_fresh_forms_of_one_catalog_share_nothing_they_fill_in() -> None:
    org = catalog()
    first = declare_modal(org, META, name="API down", summary="Checkout fails")
    first_json = first.to_dict()
    second = declare_modal(
        org, META.model_copy(update={"user_id": "U2"}), name="DB slow", summary="p99 up"
    )
    second_json = second.to_dict()
    blank = declare_modal(org, META)
    assert first_json == View.to_dict(first)  # not changed by the second
    assert second_json == View.to_dict(second)
    assert blank.to_dict() == View.to_dict(blank)  # the frozen copy keeps no typed value
    assert first_json["private_metadata"] != second_json["private_metadata"]
    assert "API down" not in json.dumps(second_json) and "DB slow" not in json.dumps(first_json)


def test_a_fresh_form_given_more_blocks_after_it_was_built_serialises_them() -> None:
    org = catalog()
    view = with_overflow(declare_modal(org, META, summary="s" * 5000), "s" * 5000, MAX_SUMMARY)
    sandboxed = mark_sandbox_view(declare_modal(org, META, name="n"))
    for changed in (view, sandboxed):
        assert changed.to_dict() == View.to_dict(changed)
        assert (
            len(changed.to_dict()["blocks"])
            == len(declare_modal(org, META).to_dict()["blocks"]) + 1
        )
    assert view.to_dict()["blocks"][2]["element"]["initial_value"] == "s" * MAX_SUMMARY


def test_a_fresh_form_with_metadata_slack_refuses_raises_as_the_typed_one() -> None:
    view = declare_modal(catalog(), META)
    view.private_metadata = "x" * 3001
    with pytest.raises(SlackObjectFormationError, match="private_metadata"):
        view.to_dict()
