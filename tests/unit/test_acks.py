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
