"""incident.io's webhook events, read: which incidents an event concerns and the state it
carries. Shapes from the schema's `x-webhooks` (API-NOTES §12.2): `{"event_type": T, T: payload}`;
public incident events carry the incident, private ones only its ID, escalation events the
incidents they were raised for. Verifying the signature is the endpoint's (bot/webhook_endpoint.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field, ValidationError

from bot.incidentio.models import ApiModel, Incident

INCIDENT_CHANGES = ("incident_created_v2", "incident_updated_v2", "incident_status_updated_v2")
INCIDENT_EVENTS = frozenset(
    f"{scope}_incident.{change}" for scope in ("public", "private") for change in INCIDENT_CHANGES
)
ESCALATION_EVENTS = frozenset(
    f"{scope}_escalation.escalation_{change}_v1"
    for scope in ("public", "private")
    for change in ("created", "status_updated")
)
CREATED = "incident_created_v2"


class MalformedEvent(ValueError):
    """An event the bot acts on, whose payload it cannot read: says what is wrong, not the body."""


class _ApiKey(ApiModel):
    name: str = ""


class _Creator(ApiModel):
    api_key: _ApiKey | None = None


class _WithCreator(Incident):
    creator: _Creator = Field(default_factory=_Creator)


class _StatusChange(ApiModel):  # IncidentWithStatusChangeV2
    incident: _WithCreator


class _Id(ApiModel):  # WebhookPrivateResourceV2
    id: str = Field(min_length=1)


class _Related(ApiModel):  # IncidentSlimV2, as an escalation lists it
    id: str = Field(min_length=1)


class _Escalation(ApiModel):
    id: str
    related_incidents: list[_Related] = Field(default_factory=list)


@dataclass(frozen=True)
class Event:
    """One event the bot acts on."""

    type: str
    incident_ids: tuple[str, ...]  # the incidents whose cards it may change
    incident: Incident | None = None  # the state it carries (public incident events)
    created: bool = False  # a new incident
    # Created through the API by this key name: the bot's own declare posts its own card.
    api_key_name: str | None = None

    @property
    def escalation(self) -> bool:
        return self.type in ESCALATION_EVENTS


def event_type(body: Any) -> str | None:
    """The event's type, if the body is shaped like an event at all."""
    if isinstance(body, dict) and isinstance(body.get("event_type"), str):
        return str(body["event_type"])
    return None


def read_event(body: Any) -> Event | None:
    """The event in a verified body; None for an event type the bot does not act on (follow-ups,
    alerts, schedules...); MalformedEvent when it acts on the type but cannot read the payload."""
    kind = event_type(body)
    if kind not in INCIDENT_EVENTS | ESCALATION_EVENTS:
        return None
    payload = body.get(kind)
    try:
        if kind in ESCALATION_EVENTS:
            return _escalation(kind, payload)
        return _incident(kind, payload)
    except ValidationError as error:
        where = ", ".join(".".join(map(str, e["loc"])) or "payload" for e in error.errors()[:3])
        raise MalformedEvent(f"{kind}: unreadable payload ({where})") from None


def _incident(kind: str, payload: Any) -> Event:
    created = kind.endswith(CREATED)
    if kind.startswith("private_"):
        return Event(kind, (_Id.model_validate(payload).id,), created=created)
    if kind.endswith("incident_status_updated_v2"):
        incident = _StatusChange.model_validate(payload).incident
    else:
        incident = _WithCreator.model_validate(payload)
    key = incident.creator.api_key
    return Event(
        kind,
        (incident.id,),
        incident=incident,
        created=created,
        api_key_name=key.name if key is not None else None,
    )


def _escalation(kind: str, payload: Any) -> Event:
    if kind.startswith("private_"):
        # IDs only, and the escalation's own: which incidents it belongs to is not said.
        _Id.model_validate(payload)
        return Event(kind, ())
    escalation = _Escalation.model_validate(payload)
    ids = tuple(dict.fromkeys(r.id for r in escalation.related_incidents))
    return Event(kind, ids)
