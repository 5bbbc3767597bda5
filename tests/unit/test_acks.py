import asyncio

from bot.acks import AckGate


async def test_quiet_returns_at_once_when_no_ack_is_owed() -> None:
    gate = AckGate()
    async with asyncio.timeout(0.1):
        await gate.quiet(max_wait=10)


async def test_quiet_waits_for_the_last_owed_ack() -> None:
    gate = AckGate()
    gate.enter()
    gate.enter()
    waiter = asyncio.create_task(gate.quiet(max_wait=10))
    await asyncio.sleep(0.01)
    gate.leave()
    await asyncio.sleep(0.01)
    assert not waiter.done()  # one ack is still owed
    gate.leave()
    await asyncio.wait_for(waiter, 1)


async def test_quiet_gives_up_after_max_wait() -> None:
    gate = AckGate()
    gate.enter()  # an ack that never goes out must not block the modal past its trigger
    loop = asyncio.get_running_loop()
    started = loop.time()
    await gate.quiet(max_wait=0.05)
    assert 0.04 <= loop.time() - started < 1.0


async def test_waiters_go_one_at_a_time_in_arrival_order() -> None:
    # Woken together, every command would build its modal before the first one is sent.
    gate = AckGate()
    gate.enter()
    steps: list[str] = []

    async def work(name: str) -> None:
        await gate.quiet(max_wait=10)
        steps.append(f"{name} built")
        await asyncio.sleep(0)  # its request handed to the HTTP client
        steps.append(f"{name} sent")

    tasks = [asyncio.create_task(work(name)) for name in ("first", "second", "third")]
    await asyncio.sleep(0.01)
    assert steps == []
    gate.leave()
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert steps == [
        "first built",
        "first sent",
        "second built",
        "second sent",
        "third built",
        "third sent",
    ]


async def test_a_waiter_giving_up_lets_no_other_past_an_owed_ack() -> None:
    gate = AckGate()
    gate.enter()
    patient = asyncio.create_task(gate.quiet(max_wait=10))
    await asyncio.sleep(0)
    await gate.quiet(max_wait=0.01)  # gives up while the ack is still owed
    await asyncio.sleep(0.01)
    assert not patient.done()
    gate.leave()
    await asyncio.wait_for(patient, 1)
