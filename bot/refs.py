"""Incident references as people type them: "INC-123", "inc-123", "123", "#123" or an incident ID."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.incidentio.models import Incident

_NUMBER = re.compile(r"^(?:inc-|#)?(\d{1,9})$", re.IGNORECASE)
# incident.io IDs are ULIDs today; the schema reserves the right to change their length, so accept
# any long upper-case alphanumeric token that has at least one digit and one letter.
_ID = re.compile(r"^(?=.*\d)(?=.*[A-Z])[0-9A-Z]{20,40}$")

REF_HELP = "an incident reference such as `INC-123`, `123`, `#123` or an incident ID"


@dataclass(frozen=True)
class IncidentRef:
    kind: Literal["number", "id"]
    value: str

    @property
    def api_id(self) -> str:
        """What GET /v2/incidents/{id} accepts: the ID, or the numeric part of the reference."""
        return self.value

    @property
    def label(self) -> str:
        return f"INC-{self.value}" if self.kind == "number" else self.value

    def matches(self, incident: Incident) -> bool:
        if self.kind == "id":
            return incident.id == self.value
        return incident.reference.upper() == f"INC-{self.value}"


def parse_ref(token: str) -> IncidentRef | None:
    """Parse one token; None when it does not look like a reference at all."""
    token = token.strip()
    number = _NUMBER.match(token)
    if number:
        return IncidentRef("number", str(int(number.group(1))))
    if _ID.match(token):
        return IncidentRef("id", token)
    return None
