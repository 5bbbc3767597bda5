"""On-call in the emulated organisation: teams, schedules whose rotas turn with the clock, and
escalation paths that target them (so a path's current responders change as shifts hand over).

Seeded: Platform primary (Ada and Grace, 12-hour shifts), Payments primary (Alan, and Lin, who
has no Slack account, both always on call), Database (nobody on it); a path for each, owned by
the Platform or Payments team.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.emulator.clock import Clock, iso, to_datetime
from sandbox.emulator.ids import UlidFactory
from sandbox.emulator.seed import SEEDED_AT, Catalog

TEAMS = ("Platform", "Payments")
# name, team, layers (each a rota of user emails), hours per shift, path name
SCHEDULES = (
    (
        "Platform primary",
        "Platform",
        (("ada@example.com", "grace@example.com"),),
        12,
        "Platform urgent",
    ),
    ("Payments primary", "Payments", (("alan@example.com",), ("lin@example.com",)), 24, "Payments"),
    ("Database", "Platform", (), 24, "Database"),
)
PERMALINK = "https://app.incident.io/sandbox/on-call/schedules/"


@dataclass
class Rota:
    data: dict[str, Any]  # the ScheduleV2 as the API renders it (without shifts)
    layers: list[list[str]]  # user ids per layer, in rota order
    shift_seconds: float

    def entries(self, start: float, end: float) -> list[tuple[float, float, str]]:
        """(start, end, user id) of every shift overlapping [start, end)."""
        found = []
        for users in self.layers:
            first = math.floor((start - SEEDED_AT) / self.shift_seconds)
            index = first
            while users and SEEDED_AT + index * self.shift_seconds < end:
                begins = SEEDED_AT + index * self.shift_seconds
                found.append((begins, begins + self.shift_seconds, users[index % len(users)]))
                index += 1
        return found


@dataclass
class OnCall:
    clock: Clock
    catalog: Catalog
    teams: list[dict[str, str]] = field(default_factory=list)
    rotas: list[Rota] = field(default_factory=list)
    paths: list[dict[str, Any]] = field(default_factory=list)  # EscalationPathV2, sans responders
    escalations: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> EscalationV2
    escalation_keys: dict[str, str] = field(default_factory=dict)  # idempotency key -> id
    escalation_times: dict[str, float] = field(default_factory=dict)

    def rota(self, schedule_id: str) -> Rota | None:
        return next((r for r in self.rotas if r.data["id"] == schedule_id), None)

    def path(self, path_id: str) -> dict[str, Any] | None:
        return next((p for p in self.paths if p["id"] == path_id), None)

    def user_v2(self, user_id: str) -> dict[str, Any]:
        user = next(u for u in self.catalog.users if u["id"] == user_id)
        keys = ("id", "name", "email", "role", "slack_user_id")
        return {k: user[k] for k in keys if k in user}

    def on_call(self, schedule_id: str, at: float) -> list[str]:
        rota = self.rota(schedule_id)
        shifts = rota.entries(at, at + 1e-6) if rota else []
        return list(dict.fromkeys(user for begins, ends, user in shifts if begins <= at < ends))

    def responders(self, path: dict[str, Any]) -> list[dict[str, Any]]:
        now, found = self.clock(), []
        for node in path["path"]:
            for target in node.get("level", {}).get("targets", []):
                if target["type"] == "schedule":
                    found += self.on_call(target["id"], now)
                elif target["type"] == "user":
                    found.append(target["id"])
        return [self.user_v2(u) for u in dict.fromkeys(found)]

    def render_path(self, path: dict[str, Any]) -> dict[str, Any]:
        return {**path, "current_responders": self.responders(path)}

    def entry(self, begins: float, ends: float, user_id: str) -> dict[str, Any]:
        return {
            "start_at": iso(to_datetime(begins)),
            "end_at": iso(to_datetime(ends)),
            "user": self.user_v2(user_id),
        }


def build_oncall(clock: Clock, catalog: Catalog, seeded: bool) -> OnCall:
    """The seeded on-call set-up; empty with `seeded=False`."""
    oncall = OnCall(clock, catalog)
    if not seeded:
        return oncall
    ids = UlidFactory(random.Random(20240116))  # its own sequence: other seeded ids stay put
    tick = iter(range(1_000_000))

    def new_id() -> str:
        return ids.new(SEEDED_AT + next(tick) / 1000)

    stamp = iso(to_datetime(SEEDED_AT))
    oncall.teams = [{"id": new_id(), "name": name} for name in TEAMS]
    team = {t["name"]: t["id"] for t in oncall.teams}
    by_email = {u.get("email"): u["id"] for u in catalog.users}
    for name, owner, layers, hours, path_name in SCHEDULES:
        schedule_id = new_id()
        data = {
            "id": schedule_id,
            "name": name,
            "timezone": "Europe/London",
            "team_ids": [team[owner]],
            "permalink": PERMALINK + schedule_id,
            "annotations": {},
            "created_at": stamp,
            "updated_at": stamp,
        }
        rota_users = [[by_email[e] for e in layer] for layer in layers]
        oncall.rotas.append(Rota(data, rota_users, hours * 3600.0))
        level = {"targets": [{"id": schedule_id, "type": "schedule", "urgency": "high"}]}
        node = {"id": new_id(), "type": "level", "level": level}
        oncall.paths.append(
            {"id": new_id(), "name": path_name, "path": [node], "team_ids": [team[owner]]}
        )
    return oncall
