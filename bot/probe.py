"""The container healthcheck asks the probe of the process that is actually serving.

`serve` records where its /healthz is (HTTP mode: PORT; Socket Mode: HEALTH_PORT, if any) in a
small file; `incident-bot healthcheck` reads it, so the answer never depends on which variables
happen to be set in the healthcheck's own environment.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

PROBE_FILE_VARIABLE = "INCIDENT_BOT_PROBE_FILE"


def probe_file() -> Path:
    configured = os.environ.get(PROBE_FILE_VARIABLE)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"incident-bot-{os.getuid()}.probe"


def record(port: int) -> None:
    """Called by `serve` once its probe port is known."""
    probe_file().write_text(f"http://127.0.0.1:{port}/healthz\n")


def forget() -> None:
    with contextlib.suppress(FileNotFoundError):
        probe_file().unlink()


def healthcheck() -> int:
    """Exit status for a container probe: 0 when the serving process answers /healthz."""
    where = probe_file()
    try:
        url = where.read_text().strip()
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
