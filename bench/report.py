"""The benchmark's one table: plain text that reads the same in a terminal and in markdown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bench.scenarios import Burst, Cold, Sample, Sequential
from bench.updates import UpdateBurst

ACK_LIMIT = 3.0
RATIO_TARGET = 1.5


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _routes(counts: Counter[str]) -> str:
    shown = [f"{route} ×{n}" for route, n in sorted(counts.items()) if n]
    return ", ".join(shown) or "none"


@dataclass
class Results:
    machine: str
    latency_ms: float
    seq_bot: Sequential
    seq_bare: Sequential
    burst_bot: Burst
    burst_bare: Burst
    burst_size: int
    rounds: int
    cold: list[Cold]
    per_action: dict[str, Counter[str]]
    updates: UpdateBurst
    rate_limit: str
    rss_idle_kib: int
    rss_after_kib: int
    rss_bare_kib: int
    seconds: float
    pinned: bool


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def section(self, title: str) -> None:
        self.rows.append((f"**{title}**", "", "", ""))

    def row(self, what: str, value: str, reference: str = "", target: str = "") -> None:
        self.rows.append((what, value, reference, target))

    def render(self) -> str:
        head = ("Measure", "incident-bot", "bare Bolt / detail", "Target")
        lines = [
            "| " + " | ".join(head) + " |",
            "|" + "|".join("---" for _ in head) + "|",
        ]
        lines += ["| " + " | ".join(cells) + " |" for cells in self.rows]
        return "\n".join(lines)


def _ratio(bot: Sample, bare: Sample) -> float:
    return bot.p99 / bare.p99 if bare.p99 else float("inf")


def render(r: Results) -> str:
    t = Table()
    t.section("1. Ack latency, /incident declare")
    seq_ratio = _ratio(r.seq_bot.acks, r.seq_bare.acks)
    burst_ratio = _ratio(r.burst_bot.acks, r.burst_bare.acks)
    n_seq, n_burst = len(r.seq_bot.acks.values), r.burst_size
    t.row(f"sequential ×{n_seq}, p50", ms(r.seq_bot.acks.p50), ms(r.seq_bare.acks.p50))
    t.row(
        f"sequential ×{n_seq}, p99",
        ms(r.seq_bot.acks.p99),
        f"{ms(r.seq_bare.acks.p99)} (ratio {seq_ratio:.2f})",
        f"≤ {RATIO_TARGET}× bare: {verdict(seq_ratio <= RATIO_TARGET)}",
    )
    rounds = f" ×{r.rounds} rounds" if r.rounds > 1 else ""
    t.row(
        f"burst of {n_burst} concurrent{rounds}, p50",
        ms(r.burst_bot.acks.p50),
        ms(r.burst_bare.acks.p50),
    )
    t.row(
        f"burst of {n_burst} concurrent{rounds}, p99",
        ms(r.burst_bot.acks.p99),
        f"{ms(r.burst_bare.acks.p99)} (ratio {burst_ratio:.2f})",
        f"≤ {RATIO_TARGET}× bare: {verdict(burst_ratio <= RATIO_TARGET)}",
    )
    slowest = r.burst_bot.acks.max
    t.row(
        f"burst of {n_burst}, slowest ack",
        ms(slowest),
        f"{ms(r.burst_bare.acks.max)}; HTTP {dict(r.burst_bot.statuses)}",
        f"every ack < 3 s: {verdict(slowest < ACK_LIMIT and set(r.burst_bot.statuses) == {200})}",
    )
    per_bot = r.burst_bot.cpu / len(r.burst_bot.acks.values)
    per_bare = r.burst_bare.cpu / len(r.burst_bare.acks.values)
    t.row(
        "CPU per command (app process)",
        ms(per_bot),
        f"{ms(per_bare)} (the bot also builds and opens the modal)",
    )
    burst_open = r.burst_bot.to_views_open
    failed = {k: v for k, v in r.burst_bot.views_failed.items() if v}
    opened_of = n_burst * r.rounds
    t.row(
        f"burst of {n_burst}: modals opened",
        f"{r.burst_bot.views_opened}/{opened_of}",
        (f"to views.open p50 {ms(burst_open.p50)}, p99 {ms(burst_open.p99)}" if burst_open else "")
        + (f"; failed {failed}" if failed else ""),
        verdict(r.burst_bot.views_opened == opened_of),
    )

    t.section("2. Command to views.open")
    warm = r.seq_bot.to_views_open
    assert warm is not None
    t.row(
        f"warm catalog, ×{len(warm.values)}, p50 / p99",
        f"{ms(warm.p50)} / {ms(warm.p99)}",
        f"incident.io calls before the modal: {r.seq_bot.calls_before_open}; "
        f"Loading… modals: {r.seq_bot.loading_modals}",
        f"no call before the modal: {verdict(r.seq_bot.calls_before_open == 0)}",
    )
    for n, cold in enumerate(r.cold, 1):
        lists = sum(cold.calls_before_open.values())
        # One round trip: every catalog list sent at once (however many lists the catalog has)
        # and all answered within two injected latencies of the first.
        one_trip = cold.round_trip < 2 * r.latency_ms / 1000
        ok = cold.overlap and lists > 0 and one_trip and cold.form_shown
        t.row(
            f"cold catalog (fresh process #{n})",
            ms(cold.to_views_open),
            f"{lists} calls before the modal, overlapping: {'yes' if cold.overlap else 'no'} "
            f"(arrivals within {ms(cold.spread)}, all answered {ms(cold.round_trip)} after "
            f"the first); form shown: {'yes' if cold.form_shown else 'no, Loading…'}",
            f"one parallel round trip: {verdict(ok)}",
        )

    t.section("3. incident.io calls per action (emulator counts)")
    for action, counts in r.per_action.items():
        writes = sum(n for route, n in counts.items() if route.startswith("POST"))
        reads = Counter({k: v for k, v in counts.items() if not k.startswith("POST")})
        t.row(
            action,
            f"{writes} write, {sum(reads.values())} read",
            _routes(counts),
            f"one write: {verdict(writes == 1)}",
        )

    u = r.updates
    t.section(
        f"4. Burst of {u.actions} `/incident update <ref> <message>` over {u.incidents} incidents"
    )
    t.row("emulator limit", r.rate_limit, "", "")
    t.row(
        "acks p50 / p99 / max",
        f"{ms(u.acks.p50)} / {ms(u.acks.p99)} / {ms(u.acks.max)}",
        f"last ack {u.seconds:.2f} s after the first send; bot CPU {ms(u.cpu / u.actions)}/action",
        f"every ack < 3 s: {verdict(u.acks.max < ACK_LIMIT)}",
    )
    t.row(
        "replies",
        ", ".join(f"{k}: {v}" for k, v in sorted(u.outcomes.items())),
        "; ".join(u.errors_shown),
        f"no 429 shown to users: {verdict(u.outcomes.get('rate limit shown', 0) == 0)}",
    )
    t.row("incident.io requests", str(sum(u.requests.values())), _routes(u.requests), "")
    t.row(
        "peak rate seen by the emulator",
        f"{u.peak_per_second}/s, {u.peak_per_minute}/min",
        f"HTTP statuses {dict(sorted(u.statuses.items()))}",
        f"never above the limit (no 429): {verdict(u.statuses.get('429', 0) == 0)}",
    )

    t.section("5. Resident memory (VmRSS)")
    t.row("idle, after start and warm-up", mib(r.rss_idle_kib), f"bare Bolt: {mib(r.rss_bare_kib)}")
    grown = r.rss_after_kib - r.rss_idle_kib
    t.row(f"after the {u.actions}-action burst", mib(r.rss_after_kib), f"+{mib(grown)}")

    head = (
        f"Machine: {r.machine}. incident.io emulator: {r.latency_ms:.0f} ms injected latency on "
        f"every route. Sections 1-5 ran in {r.seconds:.0f} s."
    )
    return head + "\n\n" + t.render() + "\n\n" + "\n".join(_notes(r)) + "\n"


def _notes(r: Results) -> list[str]:
    pinned = (
        "The app under test runs on a core of its own; the emulator, the fake Slack and the "
        "sender share the other."
        if r.pinned
        else "No core is reserved for the app under test."
    )
    return [
        "How it was measured:",
        "- The bot is `python -m bot serve --http`; the baseline is bench/bare_app.py, a Bolt "
        "AsyncApp whose /incident listener only acks, on the same Starlette + "
        "AsyncSlackRequestHandler + uvicorn stack. Both are subprocesses. " + pinned,
        "- An ack is the time from writing a signed request to reading the whole answer, as "
        "seen by a separate sender process (bench/sender.py) over keep-alive connections opened "
        "beforehand. Bolt polls for ack() every 10 ms, in both apps.",
        f"- Bursts: one burst per app first, not counted; then {r.rounds} rounds, alternating "
        "apps, pooled. Percentiles are nearest-rank.",
        "- views.open times are the fake Slack's record (SlackCall.at) minus the send time; "
        "in a burst they include the fake Slack's own queue (it checks each distinct modal, "
        "what was typed into it aside, once, then remembers the verdict: about 0.5 ms of its "
        "CPU per call).",
        "- Cold: a fresh bot process whose start-up warm-up was refused (one injected HTTP 400), "
        "so its first /incident declare loads the catalog itself.",
        "- Calls per action: counted by the emulator from just before each command to 0.3 s after "
        "its answer, on a freshly started and ready bot process. The bot writes its own changes "
        "into its cached open-incident list, so it needs no re-read between actions.",
    ]
