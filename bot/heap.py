"""What start-up built, kept out of the garbage collector's way while the bot serves.

A serving process holds well over a hundred thousand long-lived objects from start-up (modules,
the app, its settings and clients), and every full collection walked them all: in a burst of
commands the collector took about a fifth of the bot's CPU (bench/PROFILE.md). Frozen once, just
before serving, they are left out of every later collection. Objects are still freed by reference
counting; only cyclic garbage among the frozen would stay, and the collection run first frees
what start-up had already dropped. Only the serving entry points call this: a process that
merely builds apps (a test run) never freezes its heap.
"""

from __future__ import annotations

import gc


def freeze_start_up() -> None:
    gc.collect()
    gc.freeze()
