import json

import pytest

from bot.forms import (
    MAX_MESSAGE,
    FormError,
    parse_declare,
    parse_escalate,
    parse_resolve,
    parse_update,
)
from bot.ids import TEST_MODE_VALUE, Field
from bot.modal_meta import ModalMeta


def text(field: Field, value: str | None) -> dict:
    return {field.value: {field.value: {"type": "plain_text_input", "value": value}}}


def select(field: Field, value: str | None) -> dict:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {field.value: {field.value: {"type": "static_select", "selected_option": option}}}


def values(*parts: dict) -> dict:
    out: dict = {}
    for part in parts:
        out.update(part)
    return out


def test_declare_parses_every_field() -> None:
    form = parse_declare(
        values(
            text(Field.NAME, "  Checkout down "),
            text(Field.SUMMARY, "EU only"),
            select(Field.SEVERITY, "sev2"),
            select(Field.INCIDENT_TYPE, "type1"),
            {
                Field.VISIBILITY.value: {
                    Field.VISIBILITY.value: {
                        "type": "radio_buttons",
                        "selected_option": {"value": "private"},
                    }
                },
                Field.TEST_MODE.value: {
                    Field.TEST_MODE.value: {
                        "type": "checkboxes",
                        "selected_options": [{"value": TEST_MODE_VALUE}],
                    }
                },
            },
        ),
        has_types=True,
    )
    assert (form.name, form.summary, form.severity_id, form.incident_type_id) == (
        "Checkout down",
        "EU only",
        "sev2",
        "type1",
    )
    assert form.visibility == "private" and form.test_mode


def test_declare_reports_each_missing_field_inline() -> None:
    with pytest.raises(FormError) as caught:
        parse_declare(values(text(Field.NAME, " "), select(Field.SEVERITY, None)), has_types=False)
    assert set(caught.value.fields) == {Field.NAME.value, Field.SEVERITY.value}


def test_declare_rejects_oversize_name_with_the_limit() -> None:
    with pytest.raises(FormError) as caught:
        parse_declare(
            values(text(Field.NAME, "x" * 300), select(Field.SEVERITY, "s")), has_types=False
        )
    assert "250" in caught.value.fields[Field.NAME.value]


def test_update_needs_something_to_share() -> None:
    with pytest.raises(FormError) as caught:
        parse_update(values(text(Field.MESSAGE, None)))
    assert Field.MESSAGE.value in caught.value.fields
    assert parse_update(values(select(Field.STATUS, "st"))).status_id == "st"


def test_escalate_and_resolve_requirements() -> None:
    with pytest.raises(FormError) as caught:
        parse_escalate(values(select(Field.SEVERITY, None), text(Field.REASON, None)))
    assert set(caught.value.fields) == {Field.SEVERITY.value, Field.REASON.value}
    with pytest.raises(FormError) as caught:
        parse_resolve(values(text(Field.MESSAGE, "x" * (MAX_MESSAGE + 1))), needs_status=True)
    assert set(caught.value.fields) == {Field.MESSAGE.value, Field.STATUS.value}
    form = parse_resolve(values(text(Field.MESSAGE, "fixed")), needs_status=False)
    assert form.message == "fixed" and form.status_id is None


def test_meta_round_trip_and_limit() -> None:
    meta = ModalMeta(team_id="T", user_id="U", source_text="y" * 5000, source_permalink="https://p")
    encoded = meta.encode()
    assert len(encoded) <= 3000
    decoded = ModalMeta.decode(encoded)
    assert decoded.team_id == "T" and decoded.source_text and len(decoded.source_text) < 5000
    assert decoded.source_text.endswith("…")  # the cut is marked wherever the text goes


def test_meta_gives_up_the_text_when_nothing_else_fits() -> None:
    # Metadata too long even without the message: the text goes, and encoding ends.
    meta = ModalMeta(team_id="T", user_id="U" * 3000, source_text="y" * 10)
    assert "source_text" not in ModalMeta.decode(meta.encode()).model_dump(exclude_defaults=True)


@pytest.mark.parametrize("raw", [None, "", "not json", json.dumps({"user_id": "U"})])
def test_meta_decode_rejects_damage(raw: str | None) -> None:
    with pytest.raises(FormError):
        ModalMeta.decode(raw)
