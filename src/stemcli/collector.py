"""Pausing Python's cyclic garbage collector while many small objects are made.

Loading a dataset, building claims from a cache hit's columns and conflicts' sweep each
make up to millions of small objects, none of them in a reference cycle. A collection
cannot free any of them, but the collector runs every few hundred allocations and, as
the heap grows, walks more of it each time: a third to a half of the time of each of
these at 100,000 claims and more.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused(*, freeze: bool = False) -> Iterator[None]:
    """No collections meanwhile (as before, afterwards). ``freeze``: what was made lives
    as long as the run (a loaded dataset, its claims), so later collections skip it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if freeze:
                gc.freeze()
            gc.enable()
