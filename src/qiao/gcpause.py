"""Pausing Python's cyclic garbage collector around bulk work.

Why: an import analyses 100,000 rows into millions of small objects that all stay
alive (the plan), and writes them in batches that allocate as many again. CPython's
collector runs every few hundred allocations and, as the heap grows, repeatedly walks
everything alive — a fifth of an import's CPU time at 100,000 rows. The objects made in
bulk work are freed by reference counting; pausing the collector for the duration
costs nothing but the delay of collecting cycles made meanwhile by other threads.

Pauses nest and may overlap across threads: the collector runs again when the last
one ends (and only if it ran before the first one began). ``with paused_gc():`` around
a block, or ``@paused_gc()`` on a function.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
