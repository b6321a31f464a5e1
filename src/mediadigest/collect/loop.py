"""Collect stage plumbing: an asyncio event loop in a thread, for synchronous callers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


class LoopThread:
    """Runs one event loop in a daemon thread; ``call`` and ``stream`` cross into it.

    The async fetcher's connection pool and semaphores belong to this loop, so synchronous
    code (the CLI, the single writer) can drive many concurrent fetches without becoming
    async itself, and it works the same when the caller already runs an event loop.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="fetch-loop", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and return its result (or raise its exception)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def stream(self, items: AsyncIterator[T], buffer: int = 64) -> Iterator[T]:
        """Iterate ``items`` from this thread; the producer runs at most ``buffer`` ahead.

        Closing the iterator early (break, an exception in the consumer) cancels the producer.
        """
        queue: asyncio.Queue[Any] = asyncio.Queue(buffer)

        async def pump() -> None:
            try:
                async for item in items:
                    await queue.put((item, None))
                await queue.put((_DONE, None))
            except Exception as exc:  # handed to the consumer, who re-raises it
                await queue.put((_DONE, exc))

        task = asyncio.run_coroutine_threadsafe(pump(), self.loop)
        try:
            while True:
                item, error = self.call(queue.get())
                if error is not None:
                    raise error
                if item is _DONE:
                    return
                yield item
        finally:
            task.cancel()

    def stop(self) -> None:
        """Stop the loop after cancelling what still runs on it, and join the thread."""

        async def cancel_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.call(cancel_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()
