"""How the catalog cache behaves under a burst of Slack interactions.

Runs 200 concurrent catalog reads against a mocked incident.io (respx, each GET answering after a
fixed latency) and prints how many GETs reached the mock and the p50/p99 latency of the reads:

    .venv/bin/python bench/catalog_bench.py [--reads 200] [--latency-ms 50]

Scenarios: a cold CatalogCache (single flight: one GET per list, the four in parallel), the same
cache once warm, and for contrast no cache at all (every read fetches the four lists itself).
Beyond about 300 reads the no-cache row exhausts the client's token bucket (1200 burst, then
20/s) and takes minutes: the API budget a cache-less bot would burn in an outage.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import respx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BASE_URL = "https://api.incident.io"
TS = "2026-08-17T13:28:57Z"


def _bodies() -> dict[str, dict[str, Any]]:
    common = {"description": "x", "created_at": TS, "updated_at": TS}
    severities = [{"id": f"SEV{n}", "name": f"SEV{n}", "rank": n, **common} for n in range(1, 5)]
    statuses = [
        {"id": f"ST{n}", "name": c, "rank": n, "category": c, **common}
        for n, c in enumerate(["triage", "live", "learning", "closed"])
    ]
    types = [{"id": "T1", "name": "Default", "is_default": True, **common}]
    roles = [{"id": "R1", "name": "Lead", "shortform": "lead", "role_type": "lead", **common}]
    return {
        "/v1/severities": {"severities": severities},
        "/v1/incident_statuses": {"incident_statuses": statuses},
        "/v1/incident_types": {"incident_types": types},
        "/v2/incident_roles": {"incident_roles": roles},
    }


def _mock(router: respx.MockRouter, latency: float) -> list[respx.Route]:
    def answer(body: dict[str, Any]) -> Callable[[httpx.Request], Awaitable[httpx.Response]]:
        async def effect(request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(latency)
            return httpx.Response(200, json=body)

        return effect

    return [router.get(path).mock(side_effect=answer(body)) for path, body in _bodies().items()]


async def _timed(read: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await read()
    return time.perf_counter() - started


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


async def _scenario(name: str, reads: int, latency: float) -> dict[str, Any]:
    from bot.incidentio.catalog import CatalogCache
    from bot.incidentio.client import IncidentIoClient

    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        routes = _mock(router, latency)
        async with IncidentIoClient("bench-key", BASE_URL) as client:
            cache = CatalogCache(client, ttl_seconds=300)

            async def no_cache() -> object:
                return await asyncio.gather(
                    client.list_severities(),
                    client.list_incident_statuses(),
                    client.list_incident_types(),
                    client.list_incident_roles(),
                )

            read: Callable[[], Awaitable[object]] = cache.get
            if name == "warm cache":
                await cache.warm()
                for route in routes:
                    route.reset()
            elif name == "no cache":
                read = no_cache
            started = time.perf_counter()
            latencies = await asyncio.gather(*(_timed(read) for _ in range(reads)))
            wall = time.perf_counter() - started
    return {
        "scenario": name,
        "reads": reads,
        "gets": sum(route.call_count for route in routes),
        "p50": _percentile(list(latencies), 50) * 1000,
        "p99": _percentile(list(latencies), 99) * 1000,
        "mean": statistics.fmean(latencies) * 1000,
        "wall": wall * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    rows = [
        asyncio.run(_scenario(name, args.reads, latency))
        for name in ("cold cache", "warm cache", "no cache")
    ]
    print(f"{args.reads} concurrent catalog reads, mock latency {args.latency_ms:g} ms per GET\n")
    header = f"{'scenario':<12} {'reads':>6} {'GETs':>6} {'p50 ms':>9} {'p99 ms':>9} {'wall ms':>9}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['scenario']:<12} {row['reads']:>6} {row['gets']:>6} "
            f"{row['p50']:>9.3f} {row['p99']:>9.3f} {row['wall']:>9.2f}"
        )


if __name__ == "__main__":
    main()
