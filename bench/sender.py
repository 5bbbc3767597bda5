"""The timing sender: a process of its own that sends signed Slack requests and times the answers.

It runs apart from the bench process because the fake Slack serves in a thread there: while the
fake validates a burst of views.open calls it holds the GIL, and a sender in that process would
read the acks late and blame the bot. Monotonic times are system-wide on Linux, so the `sent`
times it reports compare with the fake Slack's SlackCall.at.

Protocol: one JSON line in, {"port", "concurrent", "requests": [{"body", "headers"}]}; one JSON
line out, {"results": [{"status", "body", "sent", "sent_wall", "elapsed"}]} in the same order;
status 0 when the connection failed (the body then says how).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.wire import Wire, WireError

HOST = "127.0.0.1"


async def _one(wire: Wire, request: dict[str, Any]) -> dict[str, Any]:
    body = str(request["body"]).encode()
    sent_wall, sent = time.time(), time.monotonic()
    try:
        status, content = await wire.post("/slack/events", body, request["headers"])
    except (WireError, OSError) as exc:
        # Counted as a failed request (status 0), not the end of the whole burst.
        status, content = 0, str(exc).encode()
    elapsed = time.monotonic() - sent
    return {
        "status": status,
        "body": content.decode(),
        "sent": sent,
        "sent_wall": sent_wall,
        "elapsed": elapsed,
    }


async def handle(wires: dict[int, Wire], message: dict[str, Any]) -> list[dict[str, Any]]:
    port = int(message["port"])
    wire = wires.setdefault(port, Wire(HOST, port))
    requests = message["requests"]
    if not message.get("concurrent"):
        return [await _one(wire, request) for request in requests]
    await wire.open(len(requests))
    return list(await asyncio.gather(*(_one(wire, request) for request in requests)))


def main() -> None:
    loop = asyncio.new_event_loop()
    wires: dict[int, Wire] = {}
    for line in sys.stdin:
        results = loop.run_until_complete(handle(wires, json.loads(line)))
        sys.stdout.write(json.dumps({"results": results}) + "\n")
        sys.stdout.flush()
    for wire in wires.values():
        loop.run_until_complete(wire.aclose())
    loop.close()


if __name__ == "__main__":
    main()
