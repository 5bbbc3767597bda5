"""The result of a slow submission must not be overwritten by its own "Working…" ack."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from slack_sdk.models.views import View

from bot.acks import answered, answering
from bot.flows.runner import answer_submission
from bot.surface import Surface
from bot.ui.common import message_modal


async def test_answered_waits_for_this_requests_answer() -> None:
    done = answering()
    waiter = asyncio.create_task(answered(max_wait=5))
    await asyncio.sleep(0.02)
    assert not waiter.done()
    done.set()
    await asyncio.wait_for(waiter, 1)


async def test_answered_is_a_no_op_outside_a_request() -> None:
    async with asyncio.timeout(0.1):
        await answered(max_wait=5)


async def test_the_result_waits_until_the_progress_ack_is_out() -> None:
    """answer_submission: the result's views.update is not sent before the ack's HTTP answer."""
    events: list[str] = []
    work_done = asyncio.Event()

    class RecordingSurface(Surface):
        async def update_view(self, view: View, *, view_hash: str | None = None) -> None:
            events.append("views.update")

    async def ack(**kwargs: Any) -> None:
        events.append(f"ack {kwargs.get('response_action')}")

    async def work() -> View:
        await work_done.wait()
        return message_modal("Done", "done")

    answer = answering()  # what the HTTP handler does for each Slack request
    reply = RecordingSurface(client=None, view_id="V1")  # type: ignore[arg-type]
    task = asyncio.create_task(
        answer_submission(
            SimpleNamespace(ack_budget=0.01),  # type: ignore[arg-type]
            ack,  # type: ignore[arg-type]
            reply,
            work(),
            restore=lambda m: message_modal("Form", m),
            fields={},
            where="test",
        )
    )
    await asyncio.sleep(0.05)  # past the budget: the progress view is the ack
    work_done.set()  # the result is ready before the ack has gone out
    await asyncio.sleep(0.05)
    assert events == ["ack update"]
    answer.set()  # the HTTP answer is handed to the socket
    await asyncio.wait_for(task, 1)
    assert events == ["ack update", "views.update"]
