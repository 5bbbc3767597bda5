"""`/incident oncall`: who is on call now, and until when, per schedule (and escalation path)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import Block

from bot.incidentio.oncall_cache import Rota
from bot.incidentio.oncall_models import EscalationPath
from bot.slacktext import escape
from bot.ui.blocks import context, header, section
from bot.ui.page import people, person

MAX_LISTED = 40  # a message holds 50 blocks


def _until(end: datetime, now: datetime) -> str:
    # Slack shows the date in each reader's own time zone; the fallback is UTC.
    fallback = end.strftime("%a %d %b %H:%M UTC")
    same_day = end.date() == now.date()
    pattern = "{time}" if same_day else "{date_short} {time}"
    return f"<!date^{int(end.timestamp())}^{pattern}|{fallback}>"


def rota_line(rota: Rota, now: datetime) -> str:
    shifts = rota.on_call(now)
    name = f"*{escape(rota.schedule.name)}*"
    if not shifts:
        return f"{name}: nobody on call now"
    who = ", ".join(
        f"{person(s.user) if s.user else 'someone'} until {_until(s.end_at, now)}" for s in shifts
    )
    return f"{name}: {who}"


def path_line(path: EscalationPath) -> str:
    return f"*{escape(path.name)}* (escalation path): {people(path.current_responders)}"


def oncall_text(rotas: Sequence[Rota], paths: Sequence[EscalationPath], query: str) -> str:
    if query and not (rotas or paths):
        return f"No schedule or escalation path is named like `{escape(query)}`."
    if not (rotas or paths):
        return "incident.io has no on-call schedules."
    return "Who is on call now"


def oncall_blocks(
    rotas: Sequence[Rota],
    paths: Sequence[EscalationPath],
    now: datetime,
    *,
    query: str = "",
    known: Sequence[str] = (),
) -> list[Block]:
    """The rotas (and, when a name was asked for, the paths) with who is on call now."""
    if not (rotas or paths):
        names = ", ".join(f"`{escape(n)}`" for n in known[:20])
        also = f"\nSchedules and paths: {names}" if names else ""
        return [section(oncall_text(rotas, paths, query) + also)]
    lines = [rota_line(r, now) for r in rotas] + [path_line(p) for p in paths]
    blocks: list[Block] = [header("Who is on call now")]
    blocks.extend(section(line) for line in lines[:MAX_LISTED])
    if len(lines) > MAX_LISTED:
        blocks.append(context(f"…and {len(lines) - MAX_LISTED} more: name one to narrow."))
    return blocks
