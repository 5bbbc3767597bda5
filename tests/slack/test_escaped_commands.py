"""With `should_escape: true` (manifest.yaml) Slack sends a command's mentions, channels and links
as control sequences; every text path reads them as the person meant them."""

from __future__ import annotations

from sandbox.driver import slack_command_text
from tests.slack.conftest import Harness
from tests.slack.helpers import open_view, seed_incident
from tests.unit.test_manifest import load_manifest


def test_the_manifest_asks_slack_to_escape_the_command() -> None:
    [command] = load_manifest()["features"]["slash_commands"]
    assert command["should_escape"] is True


def test_the_driver_sends_what_slack_sends(h: Harness) -> None:
    h.fake.directory.add_user("U0BEA", name="bea")
    h.fake.directory.add_channel("C0OPS", name="ops")
    sent = slack_command_text(
        "lead @bea in #ops, see https://x.example/?a=1&b=2. <b> @here mail bea@example.com #123",
        h.fake,
    )
    assert sent == (
        "lead <@U0BEA|bea> in <#C0OPS|ops>, see <https://x.example/?a=1&amp;b=2>. "
        "&lt;b&gt; <!here> mail bea@example.com #123"
    )
    typed = slack_command_text("lead @bea in #ops", h.fake, picked=False)
    assert typed == "lead @bea in #ops"


async def test_an_update_reads_mentions_channels_and_links(h: Harness) -> None:
    h.fake.directory.add_user("U0BEA", name="bea", profile={"display_name": "Bea"})
    h.fake.directory.add_channel("C0OPS", name="ops")
    incident = await seed_incident(h)
    text = "ask @bea in #ops: https://x.example/?a=1&b=2 (5 < 6) @here"
    await h.driver.command(f"update {incident.reference} {text}")
    await h.settle()
    [update] = [u for u in h.emulator.updates if u.get("message")]
    assert update["message"].startswith(
        "ask @Bea in #ops: https://x.example/?a=1&b=2 (5 < 6) @here"
    )


async def test_a_form_prefilled_from_the_command_reads_them_too(h: Harness) -> None:
    h.fake.directory.add_channel("C0OPS", name="ops")
    view = await open_view(h, "declare Checkout down, see #ops & https://status.example")
    name = next(b for b in view["blocks"] if b.get("block_id") == "name")["element"]
    assert name["initial_value"] == "Checkout down, see #ops & https://status.example"
