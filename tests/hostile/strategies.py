"""Hypothesis strategies for what a hostile or careless person can put in front of the bot."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from bot.ids import TEST_MODE_VALUE, Field

# Characters that matter to Slack mrkdwn and to the parsers, mixed into arbitrary text so the
# interesting cases come up far more often than uniform unicode would produce them.
SPECIAL = st.sampled_from(
    ["<", ">", "&", "|", "@", "!", "#", "*", "`", "\n", "\t", " ", "\u2060", "\u00a0", "INC-", "-"]
)
INJECTIONS = ["<!channel>", "<!here>", "<!everyone>", "<@U0EVIL>", "<!subteam^S0EVIL>"]
WORDS = st.sampled_from(
    [
        *INJECTIONS,
        "@channel",
        "@here",
        "@everyone",
        "@HeRe",
        "<#C0EVIL>",
        "<!here|here>",
        "<https://evil.example|click>",
        "&lt;",
        "&amp;",
        "inc-1",
        "INC-1",
        "#1",
        "*bold*",
        "```",
        "01FCNDV6P870EA6S7TK1DSYDG0",
    ]
)
hostile_text = st.lists(st.one_of(st.text(max_size=8), SPECIAL, WORDS), max_size=12).map("".join)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def long_text(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(min_value=low, max_value=high).map(lambda n: "x" * n)


texts = st.one_of(st.text(max_size=30), hostile_text, st.just("   \n\t "), long_text(248, 3002))


def view_values(option_values: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Any]:
    """view.state.values: mostly the right shape with hostile contents, sometimes anything.

    `option_values` adds values worth choosing (real catalog IDs) to the random ones.
    """
    values_pool = st.one_of(
        st.text(max_size=20), option_values if option_values is not None else st.nothing()
    )
    options = st.one_of(
        st.fixed_dictionaries({"value": st.one_of(values_pool, json_scalars)}),
        st.fixed_dictionaries({"value": values_pool}),
        st.just({"value": TEST_MODE_VALUE}),
        json_values,
    )
    element_states = st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("plain_text_input"), "value": st.one_of(texts, json_values)}
        ),
        st.fixed_dictionaries({"type": st.just("static_select"), "selected_option": options}),
        st.fixed_dictionaries(
            {
                "type": st.just("checkboxes"),
                "selected_options": st.one_of(st.lists(options, max_size=3), json_values),
            }
        ),
        json_values,
    )
    field_names = st.sampled_from([f.value for f in Field])

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        if draw(st.integers(0, 9)) == 0:
            return draw(json_values)
        values: dict[str, Any] = {}
        for block_id in draw(st.lists(field_names, max_size=len(Field), unique=True)):
            action_id = block_id if draw(st.integers(0, 5)) else draw(st.text(max_size=5))
            values[block_id] = (
                {action_id: draw(element_states)} if draw(st.integers(0, 7)) else draw(json_values)
            )
        return values

    return build()
