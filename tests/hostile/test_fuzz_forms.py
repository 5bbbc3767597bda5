"""Fuzzing the modal-state parsers and the private_metadata codec: FormError is the only failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.forms import (
    MAX_MESSAGE,
    MAX_NAME,
    MAX_SUMMARY,
    FormError,
    parse_declare,
    parse_escalate,
    parse_incident_choice,
    parse_resolve,
    parse_update,
)
from bot.ids import Field
from bot.modal_meta import ModalMeta
from tests.hostile.strategies import json_values, view_values

PURE = settings(max_examples=200, deadline=None)

PARSERS: dict[str, Callable[[Any], Any]] = {
    "declare": lambda v: parse_declare(v, has_types=True),
    "declare_no_types": lambda v: parse_declare(v, has_types=False),
    "update": parse_update,
    "escalate": parse_escalate,
    "resolve": lambda v: parse_resolve(v, needs_status=True),
    "resolve_default_status": lambda v: parse_resolve(v, needs_status=False),
    "pick": parse_incident_choice,
}


def _mapping(values: Any) -> Any:
    # The parsers read Mappings; Slack always sends an object, Bolt hands it over as a dict.
    return values if isinstance(values, dict) else {}


@pytest.mark.parametrize("name", list(PARSERS))
@PURE
@given(values=view_values())
def test_parsers_fail_only_with_form_errors(name: str, values: Any) -> None:
    try:
        form = PARSERS[name](_mapping(values))
    except FormError as error:
        assert error.fields, "a parser's error always points at an input"
        assert set(error.fields) <= {f.value for f in Field}
        assert all(isinstance(m, str) and m for m in error.fields.values())
        return
    data = form.model_dump()
    for key, limit in (
        ("name", MAX_NAME),
        ("summary", MAX_SUMMARY),
        ("message", MAX_MESSAGE),
        ("reason", MAX_MESSAGE),
    ):
        value = data.get(key)
        if value is not None:
            assert isinstance(value, str) and 0 < len(value) <= limit and value == value.strip()
    for key in ("severity_id", "status_id", "incident_id", "incident_type_id"):
        assert data.get(key) is None or (isinstance(data[key], str) and data[key])
    if name.startswith("declare"):
        assert data["name"] and data["severity_id"] and data["visibility"] in ("public", "private")
    if name == "declare_no_types":
        assert data["incident_type_id"] is None


# --- private_metadata ---------------------------------------------------------------------------

metas = st.builds(
    ModalMeta,
    team_id=st.text(max_size=12),
    user_id=st.text(max_size=12),
    channel_id=st.none() | st.text(max_size=12),
    incident_id=st.none() | st.text(max_size=30),
    reference=st.none() | st.text(max_size=12),
    source_ts=st.none() | st.text(max_size=20),
    source_permalink=st.none() | st.text(max_size=200),
    source_text=st.none() | st.text(max_size=5000),
    opened_at=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    verb=st.none() | st.text(max_size=10),
)


@PURE
@given(metas)
def test_meta_round_trips_within_slacks_limit(meta: ModalMeta) -> None:
    encoded = meta.encode()
    assert len(encoded) <= 3000
    decoded = ModalMeta.decode(encoded)
    # Only the quoted message (then the permalink) may be shortened to fit.
    assert decoded.model_dump(exclude={"source_text", "source_permalink"}) == meta.model_dump(
        exclude={"source_text", "source_permalink"}
    )
    assert decoded.source_permalink in (meta.source_permalink, None)
    if meta.source_text is not None:
        assert meta.source_text.startswith(decoded.source_text or "")
    if decoded.source_text == meta.source_text:
        assert decoded == meta


@PURE
@given(st.one_of(st.none(), st.text(), json_values.map(json.dumps)))
@example("[" * 3000)  # deeper than the JSON parser's recursion limit
@example('{"a":' * 2000)
@example('{"team_id": "T", "user_id": "U", "opened_at": "soon"}')
@example('{"team_id": "T", "user_id": ["U"]}')
@example("NaN")
def test_meta_decode_fails_only_with_form_error(raw: str | None) -> None:
    try:
        meta = ModalMeta.decode(raw)
    except FormError as error:
        assert error.message and not error.fields
        return
    assert isinstance(meta.team_id, str) and isinstance(meta.user_id, str)
