"""Start-up's objects frozen out of the garbage collector's passes, and young collections made
rarer, by the serving entry only."""

from __future__ import annotations

import gc
import weakref

import httpx
import pytest

from bot import server
from bot.app import build_app
from bot.heap import YOUNG_THRESHOLD, freeze_start_up
from bot.incidentio.client import IncidentIoClient
from bot.store_api import MemoryStore
from tests.slack.conftest import API_KEY, make_settings


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_dropped_cycles_are_freed_and_the_rest_frozen() -> None:
    dropped = _Node()
    gone = weakref.ref(dropped)
    del dropped
    kept = _Node()
    threshold = gc.get_threshold()
    try:
        freeze_start_up()
        assert gone() is None
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *threshold[1:]) != threshold
        # Frozen: no longer in any generation a collection walks.
        assert not any(tracked is kept for tracked in gc.get_objects())
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_serve_http_freezes_once_built_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    bot = build_app(
        make_settings("http://slack.invalid/api/"),
        IncidentIoClient(API_KEY, transport=httpx.MockTransport(lambda _: httpx.Response(500))),
        store=MemoryStore(),
    )
    steps: list[str] = []
    monkeypatch.setattr(server, "freeze_start_up", lambda: steps.append("freeze"))
    monkeypatch.setattr(server.uvicorn.Server, "run", lambda *_, **__: steps.append("serve"))
    monkeypatch.setattr(server.probe_file, "record", lambda _port: None)
    server.serve_http(bot, "127.0.0.1", 0)
    assert steps == ["freeze", "serve"]
