"""An asyncio event loop whose one way of waiting is ``wasi:io/poll``.

A component has no threads, sockets or selectors: everything it can wait for (a response
head, room in a body stream, bytes to read, a clock) is a ``pollable``. :class:`PollLoop` keeps
asyncio's scheduling (tasks, ``gather``, ``wait_for``, ``sleep``, timers) and replaces the one
place where an event loop blocks: when nothing is ready it hands every pollable the running
tasks wait on, plus a ``monotonic-clock`` pollable for the next timer, to ``poll`` and wakes the
tasks whose pollables fired.

* :func:`wait` is how SDK code waits for a pollable; it drops the pollable afterwards.
* :func:`run` runs a coroutine to completion on a fresh :class:`PollLoop`.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from ._bindings import monotonic_clock
from ._bindings import poll as wasi_poll

__all__ = ["PollLoop", "run", "wait"]

T = TypeVar("T")

#: Waits for at least one of the pollables; returns the indexes of the ready ones.
PollFn = Callable[[list[wasi_poll.Pollable]], list[int]]
#: A pollable that is ready after this many nanoseconds.
SleepFn = Callable[[int], wasi_poll.Pollable]


class _Selector(Protocol):
    def select(self, timeout: float | None) -> list[asyncio.Future[None]]: ...


class _Waiters:
    """The pollables that tasks are waiting on, each with the future that wakes its task."""

    def __init__(self, poll: PollFn, sleep: SleepFn) -> None:
        self._poll = poll
        self._sleep = sleep
        self._waiting: list[tuple[wasi_poll.Pollable, asyncio.Future[None]]] = []

    def add(self, pollable: wasi_poll.Pollable, future: asyncio.Future[None]) -> None:
        self._waiting.append((pollable, future))

    def remove(self, future: asyncio.Future[None]) -> None:
        self._waiting = [(p, f) for p, f in self._waiting if f is not future]

    def select(self, timeout: float | None) -> list[asyncio.Future[None]]:
        """Blocks in ``poll`` until a pollable is ready or ``timeout`` seconds have passed."""
        waiting = [(p, f) for p, f in self._waiting if not f.done()]
        if timeout is not None and timeout <= 0:
            return [f for p, f in waiting if p.ready()]
        pollables = [p for p, _ in waiting]
        if timeout is None and not pollables:
            raise RuntimeError(
                "the event loop has nothing to run and nothing to wait for: a task awaits "
                "something that is not a wasi:io pollable (use the SDK's own awaitables)"
            )
        clock = None
        if timeout is not None:
            clock = self._sleep(max(0, int(timeout * 1_000_000_000)))
            pollables.append(clock)
        try:
            ready = self._poll(pollables)
        finally:
            if clock is not None:
                clock.__exit__(None, None, None)
        return [waiting[i][1] for i in ready if i < len(waiting)]


class PollLoop(asyncio.base_events.BaseEventLoop):
    """An asyncio loop over ``wasi:io/poll``. ``poll``/``sleep`` are replaceable for tests."""

    def __init__(self, poll: PollFn | None = None, sleep: SleepFn | None = None) -> None:
        super().__init__()
        self._waiters = _Waiters(
            poll if poll is not None else wasi_poll.poll,
            sleep if sleep is not None else monotonic_clock.subscribe_duration,
        )
        # BaseEventLoop._run_once blocks in `self._selector.select(timeout)` and hands the
        # result to `self._process_events`: those two are the whole integration.
        self._selector: _Selector = self._waiters

    def _process_events(self, event_list: list[asyncio.Future[None]]) -> None:
        for future in event_list:
            if not future.done():
                future.set_result(None)

    def _write_to_self(self) -> None:
        # There are no other threads to wake us up: nothing to do.
        pass

    async def wait_for_pollable(self, pollable: wasi_poll.Pollable) -> None:
        """Suspends the calling task until ``pollable`` is ready; drops it afterwards."""
        future: asyncio.Future[None] = self.create_future()
        self._waiters.add(pollable, future)
        try:
            await future
        finally:
            self._waiters.remove(future)
            pollable.__exit__(None, None, None)


async def wait(pollable: wasi_poll.Pollable) -> None:
    """Waits until ``pollable`` is ready without blocking other tasks, then drops it.

    On a loop that is not a :class:`PollLoop` it falls back to blocking the whole component.
    """
    loop = asyncio.get_running_loop()
    if isinstance(loop, PollLoop):
        await loop.wait_for_pollable(pollable)
        return
    try:
        pollable.block()
    finally:
        pollable.__exit__(None, None, None)


def run(main: Coroutine[Any, Any, T], loop: PollLoop | None = None) -> T:
    """Runs ``main`` to completion on a :class:`PollLoop` and closes the loop.

    Refuses to run inside another running event loop: ``await`` the coroutine there instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        main.close()
        raise RuntimeError(
            "run()/send() was called inside a running event loop; await the async API "
            "(send_async, send_streaming) there instead"
        )
    loop = loop if loop is not None else PollLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
