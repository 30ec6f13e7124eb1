"""The asyncio loop over wasi:io/poll, driven by fake pollables and a fake clock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from courier_sdk import poll_loop


class Clock:
    def __init__(self) -> None:
        self.now_ns = 0
        self.polls: list[list[str]] = []


class FakePollable:
    def __init__(self, clock: Clock, ready_at_ns: int | None, name: str) -> None:
        self.clock = clock
        self.ready_at_ns = ready_at_ns
        self.name = name
        self.dropped = False

    def ready(self) -> bool:
        return self.ready_at_ns is not None and self.clock.now_ns >= self.ready_at_ns

    def block(self) -> None:
        assert self.ready_at_ns is not None
        self.clock.now_ns = max(self.clock.now_ns, self.ready_at_ns)

    def __exit__(self, *args: Any) -> None:
        assert not self.dropped, f"{self.name} dropped twice"
        self.dropped = True


def make_loop(clock: Clock) -> poll_loop.PollLoop:
    def poll(pollables: list[Any]) -> list[int]:
        assert pollables, "poll with nothing to wait for would block forever"
        assert not any(p.dropped for p in pollables), "polling a dropped pollable"
        clock.polls.append([p.name for p in pollables])
        # Like wasi:io/poll: block until at least one is ready, then report all ready ones.
        times = [p.ready_at_ns for p in pollables if p.ready_at_ns is not None]
        assert times, "deadlock: nothing would ever become ready"
        if not any(p.ready() for p in pollables):
            clock.now_ns = min(times)
        return [i for i, p in enumerate(pollables) if p.ready()]

    def sleep(ns: int) -> Any:
        return FakePollable(clock, clock.now_ns + ns, f"clock+{ns}")

    loop = poll_loop.PollLoop(poll=poll, sleep=sleep)
    # Keep asyncio's timers on the fake clock too.
    loop.time = lambda: clock.now_ns / 1e9  # type: ignore[method-assign]
    return loop


def test_tasks_waiting_on_pollables_run_concurrently_and_finish_in_ready_order() -> None:
    clock = Clock()
    finished: list[str] = []
    slow = FakePollable(clock, 3_000, "slow")
    fast = FakePollable(clock, 1_000, "fast")

    async def waiter(p: FakePollable) -> str:
        await poll_loop.wait(p)  # type: ignore[arg-type]
        finished.append(p.name)
        return p.name

    async def main() -> list[str]:
        return list(await asyncio.gather(waiter(slow), waiter(fast)))

    assert poll_loop.run(main(), make_loop(clock)) == ["slow", "fast"]
    assert finished == ["fast", "slow"]
    # Both were handed to one poll call, not waited for one after the other.
    assert clock.polls[0] == ["slow", "fast"]
    assert clock.now_ns == 3_000
    assert slow.dropped and fast.dropped


def test_sleep_and_timers_wait_on_a_clock_pollable() -> None:
    clock = Clock()

    async def main() -> None:
        await asyncio.sleep(0.5)

    poll_loop.run(main(), make_loop(clock))
    assert clock.now_ns >= 500_000_000
    assert any(name.startswith("clock+") for names in clock.polls for name in names)


def test_wait_for_times_out_and_drops_the_pollable() -> None:
    clock = Clock()
    never = FakePollable(clock, 10**12, "never")

    async def main() -> None:
        await asyncio.wait_for(poll_loop.wait(never), timeout=0.2)  # type: ignore[arg-type]

    with pytest.raises(TimeoutError):
        poll_loop.run(main(), make_loop(clock))
    assert never.dropped
    assert 200_000_000 <= clock.now_ns < 10**12


def test_waiting_on_nothing_is_reported_instead_of_hanging() -> None:
    clock = Clock()

    async def main() -> None:
        await asyncio.get_running_loop().create_future()

    with pytest.raises(RuntimeError, match="nothing to wait for"):
        poll_loop.run(main(), make_loop(clock))


def test_run_refuses_to_nest_inside_a_running_loop() -> None:
    clock = Clock()

    async def inner() -> int:
        return 1

    async def outer() -> None:
        poll_loop.run(inner())

    with pytest.raises(RuntimeError, match="inside a running event loop"):
        poll_loop.run(outer(), make_loop(clock))


def test_wait_outside_a_poll_loop_blocks_on_the_pollable() -> None:
    clock = Clock()
    p = FakePollable(clock, 42, "p")

    async def main() -> None:
        await poll_loop.wait(p)  # type: ignore[arg-type]

    asyncio.run(main())
    assert clock.now_ns == 42 and p.dropped
