"""Work that depends only on the catalog is done once per catalog version; one Slack session."""

from __future__ import annotations

import aiohttp
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.web.async_client import AsyncWebClient

from bot.forms import DeclareForm
from bot.ids import Field
from bot.slack_session import shared_session
from bot.ui.declare import declare_choices, declare_modal
from bot.ui.frozen import Frozen, PerCatalog
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
