"""What a modal remembers between open and submit, carried by Slack in `private_metadata`."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from bot.forms import FormError

# Slack's cap on private_metadata.
MAX_METADATA = 3000


class ModalMeta(BaseModel):
    """What a modal must remember between open and submit (Slack carries it in private_metadata)."""

    model_config = ConfigDict(extra="ignore")

    team_id: str
    user_id: str
    # Set in an Enterprise Grid organisation, where incident.io needs the workspace named.
    enterprise_id: str | None = None
    channel_id: str | None = None
    incident_id: str | None = None
    reference: str | None = None
    # The incident's severity and status when the modal opened, which decide what its selects
    # offer (the options Slack asks for later must be the same).
    severity_id: str | None = None
    status_id: str | None = None
    source_channel: str | None = None
    source_ts: str | None = None
    source_permalink: str | None = None
    source_author: str | None = None  # a Slack user ID
    source_author_name: str | None = None  # a person's or a bot's name
    source_text: str | None = None
    opened_at: float | None = None
    verb: str | None = None
    prefill: dict[str, str] | None = None  # edit: each input's value as it opened (a digest)

    def encode(self) -> str:
        data = self.model_dump(exclude_none=True)
        text = json.dumps(data, separators=(",", ":"))
        # Slack caps private_metadata: shorten the quoted message until it fits.
        while len(text) > MAX_METADATA and data.get("source_text"):
            # Marked, so whatever shows or writes the text shows that it was cut.
            kept = data.pop("source_text").removesuffix("…")
            if len(kept) > 1:
                data["source_text"] = kept[: len(kept) * 2 // 3] + "…"
            text = json.dumps(data, separators=(",", ":"))
        if len(text) > MAX_METADATA:
            data.pop("source_permalink", None)
            text = json.dumps(data, separators=(",", ":"))
        return text

    @classmethod
    def decode(cls, raw: str | None) -> ModalMeta:
        """Parse private_metadata; a forged or corrupt value raises FormError."""
        try:
            return cls.model_validate(json.loads(raw or ""))
        except (ValueError, RecursionError, PydanticValidationError):
            # RecursionError: JSON nested deeper than the parser allows ("[[[[…").
            raise FormError({}, "This form's data is damaged. Close it and start again.") from None


def submission(body: dict[str, Any]) -> tuple[dict[str, Any], ModalMeta]:
    """A view_submission's view, and what its modal remembered."""
    view: dict[str, Any] = body["view"]
    return view, ModalMeta.decode(view.get("private_metadata"))
