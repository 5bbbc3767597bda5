"""The container healthcheck asks the probe of the process that is actually serving.

`serve` records where its /healthz is (HTTP mode: PORT; Socket Mode: HEALTH_PORT, if any) in a
small file; `incident-bot healthcheck` reads it, so the answer never depends on which variables
happen to be set in the healthcheck's own environment.

The default file is one per user in the temporary directory: right in a container, where one
process serves. Several processes on one host each set INCIDENT_BOT_PROBE_FILE; one that finds
the file held by another live process says so. A process removes the file on exit only while it
still holds its own address, so one process's exit never takes another's probe away.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

PROBE_FILE_VARIABLE = "INCIDENT_BOT_PROBE_FILE"
log = logging.getLogger("bot.probe")


def probe_file() -> Path:
    configured = os.environ.get(PROBE_FILE_VARIABLE)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"incident-bot-{os.getuid()}.probe"


def record(port: int) -> str:
    """Called by `serve` once its probe port is known; returns what it wrote, for `forget`."""
    where = probe_file()
    other = _holder(where)
    if other is not None:
        log.warning(
            "the probe file %s was held by another live incident-bot (pid %d); "
            "`incident-bot healthcheck` now asks this process. Give each process its own "
            "file with %s.",
            where,
            other,
            PROBE_FILE_VARIABLE,
        )
    text = f"http://127.0.0.1:{port}/healthz\npid {os.getpid()}\n"
    # Written aside and renamed: a healthcheck never reads half an address.
    partial = where.with_name(f"{where.name}.{os.getpid()}.tmp")
    partial.write_text(text)
    partial.replace(where)
    return text


def forget(written: str) -> None:
    """Remove the probe file, unless another process has recorded its own address since."""
    where = probe_file()
    with contextlib.suppress(FileNotFoundError):
        if where.read_text() == written:
            where.unlink()


def _holder(where: Path) -> int | None:
    """The pid of another process that recorded its address in `where` and is still running."""
    try:
        lines = where.read_text().splitlines()
    except OSError:
        return None
    pid = next((int(w[4:]) for w in lines[1:2] if w.startswith("pid ") and w[4:].isdigit()), 0)
    if pid in (0, os.getpid()):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, under another user
        return pid
    return pid


def healthcheck() -> int:
    """Exit status for a container probe: 0 when the serving process answers /healthz."""
    where = probe_file()
    try:
        url = next(iter(where.read_text().splitlines()), "").strip()
    except OSError:
        print(
            f"unhealthy: no probe address in {where}: the bot is not serving, or runs in "
            "Socket Mode without HEALTH_PORT",
            file=sys.stderr,
        )
        return 1
    if not url.startswith("http://127.0.0.1:"):
        print(f"unhealthy: {where} does not hold a local probe address", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:  # noqa: S310 - a local URL
            return 0 if answer.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
