"""Property-based fuzzing of the pure parsers: whatever a person types, they fail only as designed."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import keys
from bot.command import CommandError, Verb, parse_command
from bot.refs import IncidentRef, parse_ref
from bot.slacktext import escape, link, truncate
from tests.hostile.strategies import hostile_text

PURE = settings(max_examples=200, deadline=None)

BROADCAST_TAG = re.compile(r"<!(channel|here|everyone)", re.IGNORECASE)
BARE_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
ENTITIES_ONLY = re.compile(r"(?:[^&]|&amp;|&lt;|&gt;)*", re.DOTALL)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- parse_command ------------------------------------------------------------------------------


@PURE
@given(hostile_text)
@example("x" * 3010)
@example("update " + "y" * 3001)
@example("\u2028declare\u2029x")
def test_parse_command_fails_only_with_a_command_error(text: str) -> None:
    try:
        parsed = parse_command(text)
    except CommandError as error:
        # The message is shown as mrkdwn: whatever the person typed in it must be inert.
        assert "<" not in error.message and ">" not in error.message
        assert not BARE_BROADCAST.search(error.message)
        assert len(error.message) < 200
        return
    assert isinstance(parsed.verb, Verb)
    # Long text is kept (the form lets the person trim it); nothing is ever invented.
    assert len(parsed.text) <= len(text) and len(parsed.rest) <= len(text)
    if parsed.verb in (Verb.HELP, Verb.LIST):
        assert parsed.ref is None and parsed.text == ""
    if parsed.verb is Verb.SHOW:
        assert parsed.text == ""
    if parsed.verb is Verb.DECLARE:
        assert parsed.ref is None


@PURE
@given(
    st.sampled_from(list(Verb)), st.sampled_from([str.lower, str.upper, str.title]), hostile_text
)
def test_verbs_are_case_insensitive(verb: Verb, case: Any, rest: str) -> None:
    def outcome(text: str) -> Any:
        try:
            return parse_command(text)
        except CommandError as error:
            return ("error", error.message, error.verb)

    assert outcome(f"{case(verb.value)} {rest}") == outcome(f"{verb.value} {rest}")


numbers = st.integers(min_value=0, max_value=99_999_999)
ulids = st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=20, max_size=40).filter(
    lambda s: any(c.isdigit() for c in s) and any(c.isalpha() for c in s)
)
number_forms = st.sampled_from(["INC-{}", "inc-{}", "Inc-{}", "#{}", "{}", "INC-0{}"])
# Free text after a reference: anything that does not itself start like a reference.
messages = hostile_text.map(str.strip).filter(lambda s: not s or parse_ref(s.split()[0]) is None)


@PURE
@given(st.sampled_from([Verb.UPDATE, Verb.RESOLVE, Verb.ESCALATE]), numbers, number_forms, messages)
def test_number_references_round_trip_through_the_command(
    verb: Verb, number: int, form: str, message: str
) -> None:
    parsed = parse_command(f"{verb.value} {form.format(number)} {message}")
    assert parsed.ref == IncidentRef("number", str(number))
    assert parsed.text == message
    assert parse_ref(parsed.ref.label) == parsed.ref


@PURE
@given(st.sampled_from([Verb.UPDATE, Verb.SHOW, Verb.RESOLVE]), ulids)
def test_id_references_round_trip_through_the_command(verb: Verb, incident_id: str) -> None:
    parsed = parse_command(f"{verb.value}   {incident_id}  ")
    assert parsed.ref == IncidentRef("id", incident_id)
    assert parsed.ref.label == incident_id and parse_ref(parsed.ref.label) == parsed.ref


@PURE
@given(hostile_text)
def test_declare_keeps_the_whole_name(name: str) -> None:
    parsed = parse_command(f"declare {name}")
    assert parsed.verb is Verb.DECLARE and parsed.text == name.strip()


# --- parse_ref ----------------------------------------------------------------------------------


@PURE
@given(st.one_of(hostile_text, st.text()))
@example("INC-٣")  # a non-ASCII decimal digit: \d matches it, so int() must take it too
@example("1234567890")
def test_parse_ref_never_raises_and_is_canonical(token: str) -> None:
    ref = parse_ref(token)
    if ref is None:
        return
    if ref.kind == "number":
        assert ref.value == str(int(ref.value)) and len(ref.value) <= 9
    else:
        assert ref.value == token.strip() and ref.value.isalnum() and ref.value.isupper()
    assert parse_ref(ref.label) == ref
    assert parse_ref(f"  {ref.label}\t") == ref


# --- mrkdwn -------------------------------------------------------------------------------------


@PURE
@given(hostile_text)
@example("@@channel @here! @everyone's (@channel) x@here")
@example("<<!channel>>")
def test_escape_output_is_inert(text: str) -> None:
    out = escape(text)
    assert "<" not in out and ">" not in out
    assert not BROADCAST_TAG.search(out) and not BARE_BROADCAST.search(out)
    # Every ampersand starts one of the three entities Slack decodes: nothing else can decode.
    assert ENTITIES_ONLY.fullmatch(out)


@PURE
@given(hostile_text)
def test_escape_loses_nothing_the_person_typed(text: str) -> None:
    # Decoding the entities and removing the zero-width joiners escape() adds gives back the
    # text, so escaping changes how the text renders, never what it says.
    assert _unescape(escape(text)).replace("@\u2060", "@") == text.replace("@\u2060", "@")


@PURE
@given(st.text(alphabet=st.characters(blacklist_characters="&<>@"), max_size=50))
def test_escape_is_the_identity_on_harmless_text(text: str) -> None:
    assert escape(text) == text


@PURE
@given(hostile_text)
def test_escaping_twice_stays_inert(text: str) -> None:
    # Not idempotent by design (a literal "&lt;" must show as typed), but never unsafe.
    twice = escape(escape(text))
    assert "<" not in twice and ">" not in twice and not BARE_BROADCAST.search(twice)
    assert _unescape(twice) == escape(text)


@PURE
@given(hostile_text, hostile_text)
def test_link_has_exactly_one_target_and_label(url: str, label: str) -> None:
    out = link(url, label)
    assert out.startswith("<") and out.endswith(">")
    inner = out[1:-1]
    assert "<" not in inner and ">" not in inner and inner.count("|") == 1
    # The URL is not shown; the label is, and it is the person's text.
    assert not BARE_BROADCAST.search(inner.split("|")[1])


@PURE
@given(hostile_text, st.integers(min_value=1, max_value=50))
def test_truncate_respects_the_limit_and_keeps_a_prefix(text: str, limit: int) -> None:
    out = truncate(text, limit)
    assert len(out) <= limit
    assert out == text if len(text) <= limit else (out[:-1] == text[: limit - 1] and out[-1] == "…")


# --- idempotency keys ---------------------------------------------------------------------------


# Slack's own IDs and timestamps: never a lone surrogate (JSON from Slack is valid UTF-8).
slack_ids = st.text(
    alphabet=st.characters(blacklist_characters=":", blacklist_categories=("Cs",)), max_size=200
)


@PURE
@given(slack_ids, slack_ids, slack_ids, slack_ids)
def test_keys_are_bounded_and_deterministic(team: str, a: str, b: str, c: str) -> None:
    for make in (
        lambda: keys.for_view(team, a, b),
        lambda: keys.for_command(team, a),
        lambda: keys.for_message(team, a, b),
        lambda: keys.for_message_update(team, a, b, c),
    ):
        key = make()
        assert key == make() and len(key) <= 100 and key.startswith("slack:")


def test_json_in_messages_is_not_special() -> None:
    # A message that looks like a JSON payload is still just text.
    text = json.dumps({"response_action": "clear"})
    assert parse_command(f"update INC-1 {text}").text == text
