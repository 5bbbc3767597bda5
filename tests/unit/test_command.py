import pytest

from bot.command import CommandError, Verb, parse_command
from bot.refs import IncidentRef


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP"])
def test_help(text: str) -> None:
    assert parse_command(text).verb is Verb.HELP


def test_declare_keeps_the_name() -> None:
    parsed = parse_command("declare  Checkout API returning 500s")
    assert parsed == (parsed.__class__(Verb.DECLARE, None, "Checkout API returning 500s"))


def test_declare_does_not_take_a_reference() -> None:
    # "declare 500s on checkout" must not read "500s"... and a number is a name here, not a ref.
    assert parse_command("declare 123 errors").text == "123 errors"


@pytest.mark.parametrize(
    ("text", "ref", "rest"),
    [
        ("update INC-42 rolled back", IncidentRef("number", "42"), "rolled back"),
        ("update inc-42 rolled back", IncidentRef("number", "42"), "rolled back"),
        ("update #42 rolled back", IncidentRef("number", "42"), "rolled back"),
        ("update 42 rolled back", IncidentRef("number", "42"), "rolled back"),
        ("update rolled back", None, "rolled back"),
        ("update", None, ""),
        (
            "update 01FCNDV6P870EA6S7TK1DSYDG0 ok",
            IncidentRef("id", "01FCNDV6P870EA6S7TK1DSYDG0"),
            "ok",
        ),
    ],
)
def test_update_splits_reference_and_message(text: str, ref: IncidentRef | None, rest: str) -> None:
    parsed = parse_command(text)
    assert (parsed.verb, parsed.ref, parsed.text) == (Verb.UPDATE, ref, rest)


def test_update_keeps_line_breaks() -> None:
    parsed = parse_command("update INC-1 first line\nsecond line")
    assert parsed.text == "first line\nsecond line"


@pytest.mark.parametrize("verb", ["escalate", "resolve", "show"])
def test_reference_is_optional(verb: str) -> None:
    parsed = parse_command(verb)
    assert parsed.verb == Verb(verb) and parsed.ref is None


def test_show_rejects_a_non_reference() -> None:
    with pytest.raises(CommandError) as caught:
        parse_command("show checkout")
    assert "`checkout` is not an incident reference" in caught.value.message
    assert caught.value.verb is Verb.SHOW


def test_unknown_subcommand_is_named_and_escaped() -> None:
    # As Slack sends a typed "<!channel> now": escaped once, shown escaped once (not &amp;lt;).
    with pytest.raises(CommandError) as caught:
        parse_command("&lt;!channel&gt; now")
    assert "&lt;!channel&gt;" in caught.value.message
    assert "<!channel>" not in caught.value.message and "&amp;" not in caught.value.message
    # A real broadcast sequence (never typed, but possible in a payload) is inert too.
    with pytest.raises(CommandError) as caught:
        parse_command("<!channel> now")
    assert "<!channel>" not in caught.value.message


def test_list_takes_no_arguments() -> None:
    assert parse_command("list").verb is Verb.LIST
    with pytest.raises(CommandError):
        parse_command("list all")


def test_oversize_text_is_kept_whole_for_the_form() -> None:
    # Refusing it lost what was typed: the verb opens its form with it instead.
    parsed = parse_command("update INC-1 " + "x" * 3020)
    assert parsed.text == "x" * 3020 and parsed.ref is not None


def test_a_bare_number_is_marked_so_it_can_be_text_after_all() -> None:
    parsed = parse_command("update 500 errors are back")
    assert parsed.bare_number and parsed.rest == "500 errors are back"
    assert not parse_command("update INC-500 errors").bare_number
    assert not parse_command("update #500 errors").bare_number


def test_show_ignores_words_after_its_reference() -> None:
    parsed = parse_command("show INC-1 extra words")
    assert parsed.ref is not None and parsed.ref.label == "INC-1"
    assert parsed.ignored == "extra words"
