"""Slack's options requests for the catalog selects that outgrew a static one.

A static select shows at most 100 options; past that (ui/common.py `select_input`) severities,
incident types, statuses and custom fields' options are an external_select, and Slack asks the bot for its options as the
person types. The answer is the ack itself, so it must come within Slack's 3 s: it is read from
the catalog cache, filtered by what was typed, at most 100 options. What a select offers is the
same list its modal was built from, found by the modal's callback_id and its private_metadata.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.blocks import Option

from bot.custom_fields import parse_block_id
from bot.deps import Deps
from bot.failures import log_failure
from bot.ids import CUSTOM_FIELD_PREFIX, Field
from bot.incidentio.models import Catalog
from bot.modal_meta import ModalMeta
from bot.observability.interaction import tracked
from bot.ui.blocks import MAX_OPTIONS
from bot.ui.custom_fields import field_options

log = logging.getLogger("bot.flows")

# A modal's catalog selects -> what each offers, given the catalog and the modal's metadata.
Offer = Callable[[Catalog, ModalMeta], Mapping[Field, Sequence[Option]]]

CATALOG_FIELDS = (Field.SEVERITY, Field.INCIDENT_TYPE, Field.STATUS)


def matching(options: Sequence[Option], query: str) -> list[dict[str, Any]]:
    """The options whose label contains `query` (any case), in the list's order, at most 100."""
    needle = query.strip().casefold()
    found = []
    for option in options:
        shown = option.to_dict()
        if needle in str(shown["text"]["text"]).casefold():
            found.append(shown)
            if len(found) == MAX_OPTIONS:
                break
    return found


async def _offered(deps: Deps, offers: Mapping[str, Offer], body: dict[str, Any]) -> list[Option]:
    view = body.get("view")
    view = view if isinstance(view, dict) else {}
    offer = offers.get(str(view.get("callback_id", "")))
    if offer is None:
        return []
    meta = ModalMeta.decode(view.get("private_metadata"))
    # Cached after the modal was built, so this is immediate; a cold load (a restart between
    # opening and typing) gets what is left of the 3 s, and the load goes on for the next one.
    catalog = await asyncio.wait_for(deps.catalog.get(), deps.ack_budget)
    action_id = str(body.get("action_id", ""))
    custom = parse_block_id(action_id)
    if custom is not None:
        # A custom field offers its options whichever modal shows it.
        found = catalog.custom_field(custom[1])
        return field_options(found) if found is not None else []
    return list(offer(catalog, meta).get(Field(action_id), ()))


async def answer_options(
    ack: AsyncAck, body: dict[str, Any], offered: Awaitable[list[Option]], what: str, budget: float
) -> None:
    """Answer an options request with what `offered` gives within `budget`, searched by what
    was typed; an empty list when it fails or is late (the next keystroke asks again)."""
    try:
        options = await asyncio.wait_for(offered, budget)
    except TimeoutError:
        # Expected after a restart with incident.io slow; the next keystroke will have it.
        log.warning("%s not loaded within %.1f s: no options this time", what, budget)
        options = []
    except Exception as error:  # noqa: BLE001 - an empty list is still an answer
        log_failure(error, f"{what} options")
        options = []
    await ack(options=matching(options, str(body.get("value") or "")))


def register(app: AsyncApp, deps: Deps, offers: Mapping[str, Offer]) -> None:
    """One listener for the catalog selects of every modal in `offers` (callback_id -> Offer)."""

    @tracked
    async def catalog_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        await answer_options(ack, body, _offered(deps, offers, body), "catalog", deps.ack_budget)

    for field in CATALOG_FIELDS:
        app.options(field.value)(catalog_options)
    app.options(re.compile("^" + re.escape(CUSTOM_FIELD_PREFIX)))(catalog_options)
