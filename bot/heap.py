"""What start-up built, kept out of the garbage collector's way while the bot serves.

A serving process holds well over a hundred thousand long-lived objects from start-up (modules,
the app, its settings and clients), and every full collection walked them all: in a burst of
commands the collector took about a fifth of the bot's CPU (bench/PROFILE.md). Frozen once, just
before serving, they are left out of every later collection. Objects are still freed by reference
counting; only cyclic garbage among the frozen would stay, and the collection run first frees
what start-up had already dropped. Only the serving entry points call this: a process that
merely builds apps (a test run) never freezes its heap.

The youngest generation is then collected every 20,000 net allocations instead of Python's 700:
a burst keeps thousands of requests' objects alive at once, and each young collection (and every
tenth, of the middle generation) walked them all. Measured over bursts of 500 declares, 0.69-0.74
s of collection became 0.48 s (bench/PROFILE.md); cyclic garbage waits a little longer to go.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000


def freeze_start_up() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
