"""Several requests in flight: a client's worker threads and a bounded, ordered-by-completion map.

The client is synchronous (the in-process sandbox transport is WSGI), so concurrency is threads.
:meth:`WorkerPool.map` keeps at most ``size`` calls in flight and yields each result as it
completes. When a call raises, no new call is started, the calls already in flight are finished
and their results yielded (so a caller can record them), and then the first error is raised.
Calls made *from* a worker thread run inline: a worker never waits on the pool it belongs to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class WorkerPool:
    """A fixed number of threads shared by one client's concurrent operations."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._local = threading.local()
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="twenty")
            return self._executor

    def _inside(self) -> bool:
        return bool(getattr(self._local, "inside", False))

    def _wrap(self, fn: Callable[[T], R]) -> Callable[[T], R]:
        def run(item: T) -> R:
            self._local.inside = True
            return fn(item)

        return run

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn`` over ``items`` with up to ``size`` in flight; results in completion order."""
        if self.size == 1 or self._inside():
            yield from (fn(item) for item in items)
            return
        pool, run = self._pool(), self._wrap(fn)
        source = iter(items)
        pending: set[Future[R]] = set()
        failure: BaseException | None = None
        try:
            while True:
                while failure is None and len(pending) < self.size:
                    item = next(source, _END)
                    if item is _END:
                        break
                    pending.add(pool.submit(run, item))  # type: ignore[arg-type]
                if not pending:
                    break
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    error = future.exception()
                    if error is None:
                        yield future.result()
                    elif failure is None:
                        failure = error
        finally:
            for future in pending:
                future.cancel()
        if failure is not None:
            raise failure

    def close(self) -> None:
        """Stop the threads (after the calls in flight finish)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None


_END = object()
