"""Section 6's table (bench/interleaved.py), with issue #15's targets."""

from __future__ import annotations

import math
from collections.abc import Callable

from bench.interleaved import LIMIT, WAIT, Interleaved, Round, Search, median_p99
from bench.report import Table, mib, ms, verdict
from bench.scenarios import Sample

RATIO = 1.2  # views.open p99 and ack p99, against the bare app, at TARGET_SIZES
TARGET_SIZES = (200, 500)
RSS_RATIO = 1.25
HEADING = "## 6. Bot against a bare app that acks and opens a modal, interleaved (issue #15)"


def _ms(seconds: float) -> str:
    return "never" if math.isinf(seconds) else ms(seconds)


def _ratio(bot: float, bare: float) -> float:
    return bot / bare if bare else math.inf


def _p99s(rounds: list[Round], of: Callable[[Round], Sample]) -> str:
    return ", ".join(f"{of(r).p99 * 1000:.0f}" for r in rounds)


def _acks(r: Round) -> Sample:
    return r.acks


def _opens(r: Round) -> Sample:
    return r.opens


def _within(rounds: list[Round]) -> str:
    ok = sum(r.within for r in rounds)
    failed = sum(r.failed_requests for r in rounds), sum(r.failed_modals for r in rounds)
    shown = f"{ok}/{len(rounds)} rounds"
    if any(failed):
        shown += f" (failed: {failed[0]} requests, {failed[1]} modals)"
    return shown


def _largest(search: Search) -> str:
    if search.failed is None:
        return f"≥ {search.passed}" if search.passed else "none tried"
    return f"{search.passed} (failed at {search.failed})"


def _outcome(ok: bool, retried: bool) -> str:
    if not retried:
        return "ok" if ok else "failed"
    return "ok at the 2nd try" if ok else "failed twice"


def _tried(search: Search) -> str:
    return ", ".join(
        f"{size} {_outcome(ok, size in search.retried)}"
        for size, ok in sorted(search.tried.items())
    )


def _size_rows(t: Table, r: Interleaved, size: int) -> None:
    bot, bare = r.rounds["bot"][size], r.rounds["bare"][size]
    targeted = size in TARGET_SIZES
    for label, of in (("ack", _acks), ("views.open", _opens)):
        bot_p99, bare_p99 = median_p99(bot, of), median_p99(bare, of)
        ratio = _ratio(bot_p99, bare_p99)
        t.row(
            f"{size} concurrent: {label} p99",
            _ms(bot_p99),
            f"{_ms(bare_p99)} (ratio {ratio:.2f}; rounds, ms: bot {_p99s(bot, of)}, "
            f"bare {_p99s(bare, of)})",
            f"≤ {RATIO}× bare: {verdict(ratio <= RATIO)}" if targeted else "",
        )
    t.row(f"{size} concurrent: all within 3 s", _within(bot), f"bare: {_within(bare)}")


def render(r: Interleaved) -> str:
    t = Table()
    rounds = len(r.rounds["bot"][r.sizes[0]])
    t.section(f"ack and views.open p99, median of {rounds} rounds")
    for size in r.sizes:
        _size_rows(t, r, size)

    t.section("largest burst with every ack and every modal within 3 s")
    bot, bare = r.searches["bot"], r.searches["bare"]
    bot_ok = bot.passed >= bare.passed and (bot.failed is None or bare.failed is not None)
    t.row(
        "largest burst",
        _largest(bot),
        f"{_largest(bare)}; tried: bot {_tried(bot)}; bare {_tried(bare)}",
        f"≥ bare: {verdict(bot_ok)}",
    )

    t.section("CPU and resident memory (VmRSS)")
    t.row(
        "CPU per command (every measured burst)",
        ms(r.cpu_per_command("bot")),
        f"{ms(r.cpu_per_command('bare'))} "
        f"(ratio {_ratio(r.cpu_per_command('bot'), r.cpu_per_command('bare')):.2f})",
    )
    moments = (
        ("idle", "idle, after warm-up", False),
        ("bursts", "after the measured bursts", True),
        ("search", "after the largest-burst search", False),
    )
    for key, label, targeted in moments:
        bot_kib, bare_kib = r.rss_kib["bot"][key], r.rss_kib["bare"][key]
        ratio = _ratio(bot_kib, bare_kib)
        t.row(
            f"RSS {label}",
            mib(bot_kib),
            f"{mib(bare_kib)} (ratio {ratio:.2f})",
            f"≤ {RSS_RATIO}× bare: {verdict(ratio <= RSS_RATIO)}" if targeted else "",
        )
    return HEADING + "\n\n" + t.render() + "\n\n" + "\n".join(_notes(r)) + "\n"


def load(averages: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in averages)


def _notes(r: Interleaved) -> list[str]:
    sizes = ", ".join(str(s) for s in r.sizes)
    return [
        "How it was measured:",
        f"- Bursts of {sizes} concurrent `/incident declare`: the bot (`python -m bot serve "
        "--http`) and bench/bare_app.py with `--modal` (a Bolt AsyncApp that acks, then opens a "
        "fixed modal with one `views.open`: the bot's own declare modal, captured at warm-up, "
        "so the fake Slack checks views of one size for both, and checks each modal's blocks "
        "once with what was typed into them blanked out (the bot's carry each command's text); "
        "one aiohttp session, as the bot's). Both started once, on the same core; bursts "
        "interleaved bot, bare, bot, bare; one burst each first, not counted. Each figure is the median of the rounds' p99s; "
        "the ratio is of those medians.",
        "- An ack is send to answer read by the timing sender; views.open is send to the fake "
        "Slack's record of the call, for both apps. A burst waits up to "
        f"{WAIT:.0f} s for its modals.",
        f"- All within 3 s: every request answered HTTP 200 in under {LIMIT:.0f} s and every "
        "modal opened (not refused, the fake Slack refuses a trigger_id older than 3 s) under "
        f"{LIMIT:.0f} s from its send. The largest burst: sizes tried in increasing order, for "
        "both apps interleaved, until an app's first failure, then one size halfway between "
        "its last pass and that failure; a size that fails is tried once more and fails only if "
        "it fails again.",
        "- CPU: the app's user + system time from each burst's first send to 0.5 s after its "
        "last modal, over every measured round. RSS: VmRSS from /proc.",
        f"- Load average (1 / 5 / 15 min) before: {load(r.load[0])}; after: "
        f"{load(r.load[1])}. Section run time: {r.seconds:.0f} s."
        + (f" The fake Slack rejected calls: {r.violations[:3]}" if r.violations else ""),
    ]
