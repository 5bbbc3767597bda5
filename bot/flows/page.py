"""Page: `/incident page [ref] [note]` (and the card's Page button) pages an escalation path or
people for the incident, through incident.io's escalations."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot.command import Verb
from bot.deps import Deps
from bot.flows.choices import answer_options
from bot.flows.paging import resolve_target, send_page
from bot.flows.verbs import ChangeVerb, Submitted
from bot.ids import Field
from bot.incidentio.models import Incident
from bot.modal_meta import ModalMeta
from bot.observability.interaction import tracked
from bot.people_forms import PageForm, parse_page
from bot.ui.page import page_modal, page_result, paged_text, path_option


class Page(ChangeVerb[PageForm]):
    verb = Verb.PAGE
    api_fields = {
        "escalation_path_id": Field.PAGE_PATH.value,
        "user_ids": Field.PAGE_PEOPLE.value,
        "title": Field.PAGE_TITLE.value,
        "description": Field.PAGE_NOTE.value,
    }

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        paths = await deps.oncall.paths()
        return page_modal(incident, paths, meta, note=text or None)

    def parse(self, view: dict[str, Any]) -> PageForm:
        return parse_page(view["state"]["values"])

    async def write(self, deps: Deps, change: Submitted[PageForm]) -> View:
        form, meta = change.form, change.meta
        target = await resolve_target(deps, form.target)
        escalation = await send_page(
            deps,
            target,
            key=change.key,
            title=form.title,
            note=form.note,
            incident_id=meta.incident_id,
        )
        reference = meta.reference or meta.incident_id or ""
        said = paged_text(escalation, target.path, target.users)
        change.said.append(said)  # the card's thread says who was paged
        return page_result(reference, said)


def register(app: AsyncApp, deps: Deps) -> None:
    """The escalation path select, when there are more paths than a static select shows: its
    options are searched by name in the cached list, within Slack's 3 s."""

    async def offered() -> list[Option]:
        return [path_option(p) for p in await deps.oncall.paths()]

    @tracked
    async def path_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        await answer_options(ack, body, offered(), "escalation paths", deps.ack_budget)

    app.options(Field.PAGE_PATH.value)(path_options)
