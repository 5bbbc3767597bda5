import re
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.slacktext import (
    Mentions,
    Names,
    escape,
    from_slack,
    link,
    mentions,
    message_text,
    to_mrkdwn,
    truncate,
)

NAMES = Names(
    users={"U123": "Bea Ops"},
    channels={"C9": "incidents"},
    usergroups={"S2": "platform"},
)
BROADCAST_WORD = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
# A link this module built: the only thing allowed to open with `<` in mrkdwn output.
BUILT_LINK = re.compile(r"<(?:https?://|mailto:)[^<>]*>", re.IGNORECASE)
QUOTE_MARK = re.compile(r"^> ", re.MULTILINE)


def _outside_links(mrkdwn_text: str) -> str:
    return QUOTE_MARK.sub("", BUILT_LINK.sub("", mrkdwn_text))


# --- escape / truncate / link ----------------------------------------------------------------


@given(st.text())
def test_escape_truncate_link_keep_their_promises(text: str) -> None:
    # (They replaced bot/mrkdwn.py's, and were checked equal to them before it went.)
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0
    cut = truncate(text, 10)
    assert len(cut) <= 10 and (cut == text or (cut.endswith("…") and text.startswith(cut[:-1])))
    built = link("https://x.test/" + text, text)
    assert built.startswith("<https://x.test/") and built.endswith(">")
    assert built[1:-1].count("|") == 1 and "<" not in built[1:-1] and ">" not in built[1:-1]


def test_escape_defuses_broadcasts_and_control_sequences() -> None:
    out = escape("<!channel> & @here @Everyone")
    assert out == "&lt;!channel&gt; &amp; @\u2060here @\u2060Everyone"


@pytest.mark.parametrize(("limit", "expected"), [(4, "abc…"), (6, "abcdef"), (1, "…")])
def test_truncate(limit: int, expected: str) -> None:
    assert truncate("abcdef", limit) == expected


def test_link_sanitises_url_and_label() -> None:
    assert link("https://x.test/a>b|c", "<!here> | x") == (
        "<https://x.test/a%3Eb%7Cc|&lt;!here&gt; ¦ x>"
    )


# --- mentions ------------------------------------------------------------------------------------


def test_mentions_lists_each_id_once_in_order() -> None:
    text = (
        "<@U2> <#C1|ops> <@U1|bea> <!subteam^S1|@oncall> <@U2> <!here> <https://x|@U3> &lt;@U4&gt;"
    )
    assert mentions(text) == Mentions(users=("U2", "U1"), channels=("C1",), usergroups=("S1",))


def test_mentions_of_plain_text_is_empty() -> None:
    assert mentions("nothing to see @bea #ops") == Mentions()


# --- from_slack ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slack", "markdown"),
    [
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("&amp;lt; stays one level", "&lt; stays one level"),
        ("a literal &quot; and &#39; and &nbsp;", "a literal &quot; and &#39; and &nbsp;"),
        ("<https://example.com|the docs>", "[the docs](https://example.com)"),
        ("<https://example.com>", "https://example.com"),
        ("<https://example.com|https://example.com>", "https://example.com"),
        ("<https://example.com|>", "https://example.com"),
        ("<https://x.test/?a=1&amp;b=2|A &amp; B>", "[A & B](https://x.test/?a=1&b=2)"),
        ("<https://x.test/?a=1&amp;b=2>", "https://x.test/?a=1&b=2"),
        ("<https://x.test|see [1]>", r"[see \[1\]](https://x.test)"),
        ("<https://x.test/a (b)|wiki>", "[wiki](https://x.test/a%20%28b%29)"),
        ("<https://x.test|a|b>", "[a|b](https://x.test)"),
        ("<mailto:a@b.c|a@b.c>", "a@b.c"),
        ("<mailto:a@b.c|mail Bea>", "[mail Bea](mailto:a@b.c)"),
        ("<@U123>", "@Bea Ops"),
        ("<@U777>", "@U777"),
        ("<@U123|bea>", "@Bea Ops"),
        ("<@U777|bea>", "@bea"),
        ("<#C123|ops>", "#ops"),
        ("<#C9|old-name>", "#incidents"),
        ("<#C9>", "#incidents"),
        ("<#C123>", "#C123"),
        ("<#C123|>", "#C123"),
        ("<!subteam^S0ONCALL|@oncall> please look", "@oncall please look"),
        ("<!subteam^S2>", "@platform"),
        ("<!subteam^S3>", "@S3"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!here|here> <!here|@here>", "@here @here"),
        ("<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<!date^1392734382^{date_short}^https://x.test|Feb 18>", "Feb 18"),
        ("<!date^1392734382^{date_short}>", "2014-02-18 14:39 UTC"),
        ("<!date^soon^{date_short}>", "!date^soon^{date_short}"),
        ("<!somethingnew|shown>", "shown"),
        ("<!somethingnew>", "!somethingnew"),
        ("<not a sequence>", "not a sequence"),
        ("<weird|label &amp; more>", "label & more"),
        ("a < b and c", "a < b and c"),
        ("a > b and c", "a > b and c"),
        # Slack never sends a bare `<`; if a caller forgets, the words survive though `<>` go.
        ("x <y z> w", "x y z w"),
        ("the payload field is empty", "the payload field is empty"),
        ("", ""),
    ],
)
def test_from_slack(slack: str, markdown: str) -> None:
    assert from_slack(slack, NAMES) == markdown


def test_from_slack_without_names_uses_labels_then_ids() -> None:
    assert from_slack("<@U123|bea> <@U123> <#C9> <!subteam^S2|@p>") == "@bea @U123 #C9 @p"


def test_from_slack_real_message() -> None:
    slack = (
        "<!subteam^S0ONCALL|@oncall> checkout errors &gt; 5% since <!date^1700000000^{time}|10:13>, "
        "see <https://grafana.example.com/d/abc?from=now-1h&amp;to=now|dashboard> cc <@U123> in <#C9|>"
    )
    assert from_slack(slack, NAMES) == (
        "@oncall checkout errors > 5% since 10:13, see "
        "[dashboard](https://grafana.example.com/d/abc?from=now-1h&to=now) cc @Bea Ops in #incidents"
    )


@given(st.text())
def test_from_slack_undoes_escape(text: str) -> None:
    assume(not BROADCAST_WORD.search(text))
    assert from_slack(escape(text)) == text


@given(st.text(alphabet=st.characters(blacklist_characters="<>&")))
def test_from_slack_leaves_plain_text_alone(text: str) -> None:
    assert from_slack(text) == text


@given(st.text())
def test_from_slack_and_mentions_never_raise(text: str) -> None:
    from_slack(text, NAMES)
    mentions(text)


# --- to_mrkdwn -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "slack"),
    [
        ("**bold** and __bold__", "*bold* and *bold*"),
        ("*italic* and _italic_", "_italic_ and _italic_"),
        ("~~gone~~", "~gone~"),
        ("**bold with _italic_ inside**", "*bold with _italic_ inside*"),
        ("snake_case_name and 2 * 3 * 4", "snake_case_name and 2 * 3 * 4"),
        ("[the docs](https://example.com/a?b=1&c=2)", "<https://example.com/a?b=1&c=2|the docs>"),
        ("[wiki](https://x.test/a_(b))", "<https://x.test/a_(b)|wiki>"),
        ("[mail](mailto:a@b.c)", "<mailto:a@b.c|mail>"),
        ("[](https://x.test)", "<https://x.test|https://x.test>"),
        ("[**Dashboard**](https://x.test)", "<https://x.test|Dashboard>"),
        (r"[a \] b](https://x.test)", "<https://x.test|a ] b>"),
        ("[x](https://x.test/a|b<c>)", "<https://x.test/a%7Cb%3Cc%3E|x>"),
        ("[click](javascript:alert(1))", "click (javascript:alert(1))"),
        ("[rel](/relative/path)", "rel (/relative/path)"),
        ("<https://x.test/auto>", "<https://x.test/auto>"),
        ("# Checkout down", "*Checkout down*"),
        ("### Impact ###", "*Impact*"),
        ("## **Bold** heading", "*Bold heading*"),
        ("#hashtag and #123", "#hashtag and #123"),
        ("- one\n* two\n+ three\n    - nested", "• one\n• two\n• three\n    • nested"),
        ("1. first\n2) second", "1. first\n2) second"),
        ("> quoted <b>", "> quoted &lt;b&gt;"),
        ("`a <b> & c`", "`a &lt;b&gt; &amp; c`"),
        (
            "```python\nif a < b and c & d:\n    **x**\n```",
            "```\nif a &lt; b and c &amp; d:\n    **x**\n```",
        ),
        ("~~~\n<!here>\n~~~", "```\n&lt;!here&gt;\n```"),
        ("```\nnever closed", "```\nnever closed\n```"),
        (r"\*not emphasis\* 1\. \#", "*not emphasis* 1. #"),
        ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
        ("line one\r\nline two", "line one\nline two"),
        ("", ""),
    ],
)
def test_to_mrkdwn(markdown: str, slack: str) -> None:
    assert to_mrkdwn(markdown) == slack


@pytest.mark.parametrize(
    "hostile",
    [
        "<!channel>",
        "<!here|here>",
        "<@U123>",
        "<#C123>",
        "<!subteam^S1>",
        "<https://evil.test|bank login>",
        "[<!channel>](https://x.test)",
        "**<!channel>**",
        "`<!channel>`",
        "# <!everyone>",
        "- <@U1>",
        "@here @channel",
        r"\@here",
        "# @**here**",
        "&lt;!channel&gt;",
        "[ok](https://x.test|<!channel>)",
    ],
)
def test_to_mrkdwn_makes_hostile_text_inert(hostile: str) -> None:
    out = to_mrkdwn(hostile)
    outside_links = _outside_links(out)
    assert "<" not in outside_links and ">" not in outside_links
    assert "<!" not in out and "<@" not in out and "<#" not in out
    assert not BROADCAST_WORD.search(outside_links)


def test_to_mrkdwn_reverses_from_slack_links() -> None:
    slack = "<https://x.test/?a=1&amp;b=2|see [1] &amp; more>"
    assert to_mrkdwn(from_slack(slack)) == "<https://x.test/?a=1&b=2|see [1] &amp; more>"


_MARKUP = st.sampled_from(list("<>!@#&|*_~`[]()\\:/ \nahtpsce^-1."))


@settings(max_examples=300)
@given(st.text(alphabet=_MARKUP) | st.text())
def test_to_mrkdwn_only_opens_sequences_for_built_links(text: str) -> None:
    out = to_mrkdwn(text)
    outside_links = _outside_links(out)
    assert "<" not in outside_links and ">" not in outside_links
    assert "<!" not in out and "<@" not in out and "<#" not in out
    assert not BROADCAST_WORD.search(outside_links)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=3000))
def test_to_mrkdwn_never_raises(text: str) -> None:
    to_mrkdwn(text)


def test_to_mrkdwn_survives_deep_nesting() -> None:
    to_mrkdwn("*_" * 2000 + "x" + "_*" * 2000)


# --- message_text --------------------------------------------------------------------------------


def _rich(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich_text", "block_id": "b1", "elements": list(elements)}


def _section(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich_text_section", "elements": list(elements)}


def _text(text: str, **style: bool) -> dict[str, Any]:
    return {"type": "text", "text": text, **({"style": style} if style else {})}


def test_datadog_alert_attachment_with_empty_text() -> None:
    message = {
        "type": "message",
        "subtype": "bot_message",
        "text": "",
        "user": None,
        "bot_id": "B0DATADOG",
        "username": "Datadog",
        "attachments": [
            {
                "id": 1,
                "color": "#d00000",
                "fallback": "Triggered: CPU high on web-1",
                "pretext": None,
                "title": "[Triggered] CPU &gt; 90% on web-1",
                "title_link": "https://app.datadoghq.com/monitors/1?from=1&amp;to=2",
                "text": "CPU is at 97% &amp; rising. <!subteam^S0ONCALL|@oncall>",
                "fields": [
                    {"title": "Priority", "value": "P1", "short": True},
                    {"title": "Env", "value": None},
                    {"title": None, "value": 3},
                    "not a field",
                ],
                "footer": "Datadog",
                "ts": 1700000000,
            }
        ],
    }
    assert message_text(message) == (
        "<https://app.datadoghq.com/monitors/1?from=1&amp;to=2|[Triggered] CPU &gt; 90% on web-1>\n"
        "CPU is at 97% &amp; rising. <!subteam^S0ONCALL|@oncall>\n"
        "Priority: P1\nEnv\n3\nDatadog"
    )
    assert from_slack(message_text(message)) == (
        r"[\[Triggered\] CPU > 90% on web-1](https://app.datadoghq.com/monitors/1?from=1&to=2)"
        "\nCPU is at 97% & rising. @oncall\nPriority: P1\nEnv\n3\nDatadog"
    )


def test_attachment_fallback_only_when_nothing_else() -> None:
    message = {
        "attachments": [{"fallback": "only this", "color": "good"}, {"fallback": "x", "text": "y"}]
    }
    assert message_text(message) == "only this\ny"


def test_rich_text_message_with_link_mention_and_list() -> None:
    message = {
        "type": "message",
        "user": "U1",
        "text": "",
        "blocks": [
            _rich(
                _section(
                    _text("Checkout is down, see "),
                    {"type": "link", "url": "https://status.test/?a=1&b=2", "text": "status"},
                    _text(" cc "),
                    {"type": "user", "user_id": "U123"},
                    _text(" a<b & c\n"),
                ),
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "indent": 0,
                    "elements": [
                        _section(_text("payments", bold=True)),
                        _section(_text("cart "), {"type": "emoji", "name": "fire"}),
                    ],
                },
                {
                    "type": "rich_text_list",
                    "style": "ordered",
                    "indent": 1,
                    "offset": 2,
                    "elements": [_section(_text("sub"))],
                },
            )
        ],
    }
    assert message_text(message) == (
        "Checkout is down, see <https://status.test/?a=1&b=2|status> cc <@U123> a&lt;b &amp; c\n"
        "• *payments*\n• cart :fire:\n    3. sub"
    )
    assert from_slack(message_text(message), NAMES) == (
        "Checkout is down, see [status](https://status.test/?a=1&b=2) cc @Bea Ops a<b & c\n"
        "• *payments*\n• cart :fire:\n    3. sub"
    )


def test_rich_text_elements() -> None:
    block = _rich(
        _section(
            _text(" padded ", italic=True),
            _text("x", code=True, bold=True),
            _text(" "),
            {"type": "channel", "channel_id": "C9"},
            {"type": "usergroup", "usergroup_id": "S2"},
            {"type": "broadcast", "range": "here"},
            {"type": "broadcast", "range": "nobody"},
            {"type": "user", "user_id": "U1>evil"},
            {"type": "emoji", "name": "thumbsup", "skin_tone": 3},
            {"type": "link", "url": "https://x.test"},
            {"type": "link", "url": "", "text": "no url"},
            {"type": "date", "timestamp": 1700000000, "format": "{date}", "fallback": "Nov 14"},
            {"type": "date", "timestamp": "later", "fallback": "someday"},
            {"type": "color", "value": "#fff"},
        ),
        {"type": "rich_text_preformatted", "elements": [_text("x = <y>")]},
        {"type": "rich_text_quote", "elements": [_text("one\ntwo")]},
    )
    assert message_text({"blocks": [block]}) == (
        " _padded_ *`x`* <#C9><!subteam^S2><!here>:thumbsup::skin-tone-3:<https://x.test>no url"
        "<!date^1700000000^{date}|Nov 14>someday#fff\n"
        "```\nx = &lt;y&gt;\n```\n"
        "> one\n> two"
    )


def test_user_message_text_wins_over_its_rich_text_copy() -> None:
    message = {
        "user": "U1",
        "text": "deploy &amp; pray <@U123>",
        "blocks": [_rich(_section(_text("deploy & pray "), {"type": "user", "user_id": "U123"}))],
    }
    assert message_text(message) == "deploy &amp; pray <@U123>"


def test_bot_section_blocks_win_over_fallback_text() -> None:
    message = {
        "bot_id": "B1",
        "text": "Deploy failed",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Deploy failed"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*service:* checkout &amp; cart"},
                "fields": [{"type": "mrkdwn", "text": "*env:* prod"}, {"type": "plain_text"}],
                "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Ack"}},
            },
            {"type": "divider"},
            {"type": "actions", "elements": [{"type": "button", "text": "Retry"}]},
            {
                "type": "context",
                "elements": [
                    {"type": "image", "image_url": "https://x.test/i.png", "alt_text": "logo"},
                    {"type": "mrkdwn", "text": "via CI"},
                    {"type": "plain_text", "text": "build 42"},
                ],
            },
        ],
    }
    assert message_text(message) == (
        "Deploy failed\n*service:* checkout &amp; cart\n*env:* prod\nvia CI build 42"
    )


def test_fallback_text_kept_when_blocks_do_not_contain_it() -> None:
    message = {
        "text": "New alert",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "CPU high"}}],
    }
    assert message_text(message) == "New alert\nCPU high"


def test_bot_text_repeated_in_attachment_is_dropped_but_a_persons_is_kept() -> None:
    attachments = [{"pretext": "Alert: disk full", "text": "on db-1"}]
    bot = {"subtype": "bot_message", "text": "*Alert*: disk full", "attachments": attachments}
    person = {"user": "U1", "text": "disk", "attachments": attachments}
    assert message_text(bot) == "Alert: disk full\non db-1"
    assert message_text(person) == "disk\nAlert: disk full\non db-1"


def test_link_preview_skipped_forwarded_message_kept() -> None:
    preview = {"original_url": "https://x.test/a?b=1&c=2", "title": "Example", "text": "blurb"}
    forward = {"is_share": True, "from_url": "https://w.slack.com/archives/C1/p1", "text": "orig"}
    message = {"text": "see <https://x.test/a?b=1&amp;c=2>", "attachments": [preview, forward]}
    assert message_text(message) == "see <https://x.test/a?b=1&amp;c=2>\norig"


def test_markdown_block_is_encoded() -> None:
    assert message_text({"blocks": [{"type": "markdown", "text": "**a** < b"}]}) == "**a** &lt; b"


def test_message_whose_text_says_payload() -> None:
    message = {"type": "message", "text": "payload=1 in the payload field", "blocks": None}
    assert from_slack(message_text(message)) == "payload=1 in the payload field"


@pytest.mark.parametrize(
    "message",
    [
        {},
        {"text": None, "blocks": None, "attachments": None},
        {"text": "   "},
        {"text": 5},
        {"blocks": "nope", "attachments": {"a": 1}},
        {"blocks": [1, "x", None, {"type": None}, {"type": "rich_text", "elements": "x"}]},
        {"blocks": [{"type": "section", "text": "bare string", "fields": [None, 1]}]},
        {"blocks": [_rich({"type": "rich_text_list", "indent": "2", "elements": [None, {}]})]},
        {"attachments": [None, 3, {"fields": {"title": "x"}}, {"title_link": "https://x"}]},
    ],
)
def test_message_text_tolerates_odd_shapes(message: dict[str, Any]) -> None:
    assert isinstance(message_text(message), str)


def test_message_text_of_odd_shapes_values() -> None:
    assert message_text({"text": 5}) == "5"
    assert message_text({"blocks": [{"type": "section", "text": "bare string"}]}) == "bare string"
    assert message_text({"text": None, "attachments": [{"title_link": "https://x"}]}) == ""
    assert message_text(["not", "a", "message"]) == ""  # type: ignore[arg-type]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
_KEYS = st.sampled_from(
    [
        "type", "text", "blocks", "attachments", "elements", "fields", "style", "indent", "offset",
        "url", "user_id", "range", "name", "timestamp", "title", "title_link", "value", "fallback",
        "bot_id", "subtype", "rich_text", "rich_text_list", "section", "link", "user", "emoji",
    ]
)  # fmt: skip
_SHAPED = st.recursive(
    st.none() | st.integers() | _KEYS | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300)
@given(st.dictionaries(_KEYS, _SHAPED, max_size=6) | st.dictionaries(st.text(), _JSON))
def test_message_text_never_raises_on_arbitrary_json(message: dict[str, Any]) -> None:
    out = message_text(message)
    assert isinstance(out, str)
    from_slack(out)
