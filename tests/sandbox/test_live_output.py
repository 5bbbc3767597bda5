"""A form the bot opens while the prompt waits for a command (a click it was slow to answer) is
shown as it arrives, saying how to fill it in; the prompt then asks it, not for a command."""

from __future__ import annotations

import asyncio
import io

import pytest

from sandbox import session
from sandbox.live import LiveOutput
from sandbox.prompt import Prompt
from sandbox.stack import SandboxStack


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "QUIET_SECONDS", 0.05)


def test_a_form_that_opens_while_the_prompt_waits_is_announced_then_asked() -> None:
    with SandboxStack() as stack:
        lines: list[str] = []
        person = session.Session(stack, lines.append)
        person.command("declare Checkout down")
        person.fill("severity", "Major")
        person.submit()
        channel, ts = stack.fake.posted()[0]  # the card
        # Someone clicks the card's Update behind the session's back: the session has not seen
        # the modal it opens, as with one that comes after its wait ended.
        update = next(
            e
            for block in stack.fake.message(channel, ts)["blocks"]
            if block.get("type") == "actions"
            for e in block["elements"]
            if e["text"]["text"] == "Update"
        )

        async def click() -> None:
            await stack.driver.click(channel, ts, update["action_id"])
            await stack.settle(0.05)

        asyncio.run(click())
        screen = io.StringIO()
        LiveOutput(person, screen, terminal=False).show("sandbox #general> ")
        shown = screen.getvalue()
        assert "╭─ Modal: Update INC-1" in shown
        assert shown.endswith("(a form opened: press Enter to fill it in)\nsandbox #general> ")
        asked: list[str] = []

        def read(question: str) -> str:
            asked.append(question)
            return "c" if question.startswith("Press [") else ""

        prompt = Prompt(person, read)
        assert prompt.step()  # the form, not a command
        assert asked[0].startswith("  Update") and asked[-1].startswith("Press [")
