"""The warming threads' pool: background fetches by priority, then in submission order.

A resolution warms three kinds of things: what it is about to need (a pinned candidate's
dependencies, the next versions after a rejection), what the findings will need at the end
(RECORDs), and what it may need further down (the likely picks' own dependencies, level after
level). With one first-in-first-out queue the deep speculation of a backtracking resolution
(every torch version's CUDA wheels) held back what the resolver was waiting for; here a lower
priority number runs first. ``shutdown`` drops what has not started; what runs finishes (a
bounded fetch), as ``ThreadPoolExecutor.shutdown(wait=False, cancel_futures=True)`` does. The
threads are daemons: at exit nothing waits for speculation (the cache's writes are atomic).
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["WarmPool"]

_Item = tuple[int, int, Callable[..., object] | None, tuple[Any, ...]]


class WarmPool:
    def __init__(self, workers: int, name: str = "mixguard-warm") -> None:
        self._workers = max(1, workers)
        self._name = name
        self._queue: queue.PriorityQueue[_Item] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        # released by a thread each time it finishes a task: an idle thread a submit can
        # count on (ThreadPoolExecutor's scheme; a new thread counts once it has worked)
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, priority: int, fn: Callable[..., object], *args: Any) -> None:
        """Run ``fn(*args)`` on a pool thread (its exceptions are the caller's to catch);
        ignored once shut down."""
        with self._lock:
            if self._closed:
                return
            self._queue.put((priority, next(self._seq), fn, args))
            if self._idle.acquire(blocking=False):
                return  # an idle thread will take it
            if len(self._threads) < self._workers:
                # daemon: speculative work has no value once the process ends, and a pool
                # that nothing shut down (an API caller that never reads the remedies it
                # started) must not hold the interpreter at exit
                t = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(t)
                t.start()

    def _work(self) -> None:
        while True:
            _priority, _seq, fn, args = self._queue.get()
            if fn is None:  # shut down
                return
            with contextlib.suppress(Exception):  # speculative work: the caller redoes it
                fn(*args)
            self._idle.release()

    def shutdown(self) -> None:
        """Drop what has not started; each thread ends after its current task."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            for _ in self._threads:
                self._queue.put((-1, next(self._seq), None, ()))
