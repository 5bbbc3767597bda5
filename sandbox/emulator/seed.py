"""A realistic organisation: severities, a status lifecycle, types, roles, people.

Ids come from a fixed random seed, so they are the same in every run and every process.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.emulator.clock import iso, to_datetime
from sandbox.emulator.custom_fields import seed_fields
from sandbox.emulator.ids import UlidFactory

SEEDED_AT = 1_705_309_200.0  # 2024-01-15T09:00:00Z
API_KEY_NAME = "Sandbox key"
SLACK_TEAM_ID = "T0SANDBOX"
DASHBOARD_URL = "https://app.incident.io/sandbox"

SEVERITIES = (
    ("Minor", 1, "Issues with **low impact**: a few customers, a workaround exists."),
    ("Major", 2, "Issues causing **significant impact**: a key feature is broken for many."),
    ("Critical", 3, "Issues causing **very high impact**: the product is down for everyone."),
)
STATUSES = (
    ("Triage", "triage", "We are checking whether this is an incident."),
    ("Investigating", "live", "We are looking for the cause."),
    ("Fixing", "live", "We know the cause and are fixing it."),
    ("Monitoring", "live", "A fix is out; we are watching that it holds."),
    ("Documenting", "learning", "Impact is over; we are writing up what we learned."),
    ("Closed", "closed", "The incident is over."),
    ("Declined", "declined", "This was not an incident."),
    ("Merged", "merged", "This incident was merged into another."),
)
TYPES = (
    ("Default", True, "optional", "Anything that affects our customers."),
    ("Security", False, "always", "Suspected or confirmed security incidents."),
)
ROLES = (
    ("Incident Lead", "lead", "lead", "The person coordinating the incident", "Take point."),
    ("Reporter", "reporter", "reporter", "The person who reported the incident", "Tell us more."),
    ("Communications Lead", "comms", "custom", "Keeps stakeholders informed", "Post updates."),
)
USERS = (
    ("Ada Lovelace", "ada@example.com", "U0SBXADA01", "owner", True),
    ("Grace Hopper", "grace@example.com", "U0SBXGRACE", "administrator", True),
    ("Alan Turing", "alan@example.com", "U0SBXALAN1", "responder", True),
    ("Katherine Johnson", "katherine@example.com", "U0SBXKATHJ", "responder", True),
    ("Former Colleague", "former@example.com", "U0SBXGONE1", "viewer", False),
    # On call for Payments (sandbox/emulator/oncall.py), and not in Slack.
    ("Lin Contractor", "lin@example.com", None, "responder", True),
)


@dataclass
class Catalog:
    severities: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    types: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    custom_fields: list[dict[str, Any]] = field(default_factory=list)  # CustomFieldV1
    api_key: dict[str, str] = field(default_factory=dict)
    identity: dict[str, Any] = field(default_factory=dict)
    base_roles: dict[str, dict[str, str]] = field(default_factory=dict)
    # Post-incident (learning) status id -> the incident type whose post-incident flow it
    # belongs to. A post-incident status not listed belongs to the default flow, which applies
    # to every incident whose type has no flow of its own.
    post_incident_flows: dict[str, str] = field(default_factory=dict)

    def user_record(
        self,
        user_id: str,
        name: str,
        email: str | None,
        slack_id: str | None,
        role: str = "responder",
        active: bool = True,
    ) -> dict[str, Any]:
        """A UserWithRolesV2."""
        return _user(user_id, name, email, slack_id, self.base_roles[role], active)


def _user(
    user_id: str,
    name: str,
    email: str | None,
    slack_id: str | None,
    base: dict[str, str],
    active: bool,
) -> dict[str, Any]:
    role = base["slug"]
    user: dict[str, Any] = {
        "id": user_id,
        "name": name,
        "role": role,
        "is_active": active,
        "base_role": dict(base),
        "custom_roles": [],
        "seats": {
            "on_call": "none",
            "response": "viewer_only" if role == "viewer" else "full_access",
        },
    }
    if email:
        user["email"] = email
    if slack_id:
        user["slack_user_id"] = slack_id
    return user


def build_catalog(seeded: bool = True, custom_fields: bool = False) -> Catalog:
    """The organisation; with `seeded=False` only the api key and identity (lists stay empty);
    `custom_fields` adds a few (custom_fields.FIELDS: one required at declaration)."""
    ids = UlidFactory(random.Random(20240115))
    stamp = iso(to_datetime(SEEDED_AT))
    times = {"created_at": stamp, "updated_at": stamp}

    tick = iter(range(1_000_000))

    def new_id() -> str:
        # A millisecond apart, so seeded ids differ in more than their last character.
        return ids.new(SEEDED_AT + next(tick) / 1000)

    catalog = Catalog(
        api_key={"id": new_id(), "name": API_KEY_NAME},
        identity={
            "name": API_KEY_NAME,
            "roles": [
                "viewer",
                "incident_creator",
                "incident_editor",
                "post_incident_flow_opt_out",
                "escalation_creator",
                "on_call_viewer",
                "schedules_reader",
            ],
            "team_roles": [],
            "teams": [],
            "dashboard_url": DASHBOARD_URL,
        },
    )
    catalog.base_roles = {
        slug: {"id": new_id(), "name": slug.title(), "slug": slug}
        for slug in ("viewer", "responder", "administrator", "owner")
    }
    if not seeded:
        return catalog
    catalog.severities = [
        {"id": new_id(), "name": name, "rank": rank, "description": text, **times}
        for name, rank, text in SEVERITIES
    ]
    catalog.statuses = [
        {"id": new_id(), "name": name, "category": cat, "rank": rank, "description": text, **times}
        for rank, (name, cat, text) in enumerate(STATUSES, start=1)
    ]
    catalog.types = [
        {
            "id": new_id(),
            "name": name,
            "description": text,
            "is_default": default,
            "private_incidents_only": False,
            "create_in_triage": triage,
            **times,
        }
        for name, default, triage, text in TYPES
    ]
    catalog.roles = [
        {
            "id": new_id(),
            "name": name,
            "shortform": short,
            "role_type": kind,
            "description": text,
            "instructions": how,
            **times,
        }
        for name, short, kind, text, how in ROLES
    ]
    catalog.users = [
        catalog.user_record(new_id(), name, email, slack, role, active)
        for name, email, slack, role, active in USERS
    ]
    if custom_fields:
        catalog.custom_fields = seed_fields(new_id, times)
    return catalog
