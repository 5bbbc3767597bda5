"""The real bot as a child process (`python -m bot serve --http`), and what it wrote to stderr."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sandbox-key"
BOT_TOKEN = "xoxb-sandbox"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 25.0  # the bot drains in-flight work for up to 20 s on SIGTERM


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class BotProcess:
    """One `incident-bot serve --http` process on a loopback port.

    It starts from an empty environment (PATH, HOME, LANG and the bot's own variables) and runs
    in `workdir`, so neither the developer's shell nor a `.env` in the repository reaches it;
    its store is an SQLite file in `workdir/data` unless `env` says otherwise.
    stderr (JSON log lines) goes to `workdir/bot.log`.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        emulator_url: str,
        slack_api_url: str,
        signing_secret: str,
        api_key: str = API_KEY,
        bot_token: str = BOT_TOKEN,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.workdir = workdir
        self.args = args
        self.log_path = workdir / "bot.log"
        self.signing_secret = signing_secret
        self.port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(workdir)),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "PYTHONPATH": str(ROOT),
            "INCIDENTIO_API_KEY": api_key,
            "INCIDENTIO_BASE_URL": emulator_url,
            "SLACK_BOT_TOKEN": bot_token,
            "SLACK_SIGNING_SECRET": signing_secret,
            "SLACK_API_URL": slack_api_url,
            "LOG_LEVEL": "DEBUG",
            "LOG_FORMAT": "json",
            # The store's SQLite file, in this bot's own directory (never the repository's data/);
            # `env` may point it elsewhere (DATABASE_URL) or share one between bots.
            "INCIDENT_BOT_DATA_DIR": str(workdir / "data"),
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BotProcess:
        """Start the process; returns once GET /healthz answers 200."""
        command = [sys.executable, "-m", "bot", "serve", "--http"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), *self.args]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                command, env=self.env, cwd=self.workdir, stdout=log, stderr=log
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bot exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the bot did not answer /healthz:\n{self.tail()}")
            time.sleep(0.05)

    def terminate(self) -> None:
        """Send SIGTERM, as a container runtime does on shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, then SIGKILL if it has not exited within `timeout`. Idempotent."""
        if self.proc is None:
            return None
        self.terminate()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def __enter__(self) -> BotProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what it logged ---------------------------------------------------------------------

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, start: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(start)
            return log.read().decode("utf-8", "replace")

    def log_lines(self, start: int = 0) -> list[dict[str, Any]]:
        """Complete JSON log lines from byte offset `start`; a line still being written is left
        out. A line that is not JSON (a crash's raw traceback) comes back as {"raw": text}."""
        text = self.log_text(start)
        lines = text.split("\n")[:-1]  # the part after the last newline is incomplete
        out: list[dict[str, Any]] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                parsed = json.loads(line)
            except ValueError:
                parsed = None
            out.append(parsed if isinstance(parsed, dict) else {"raw": line})
        return out

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_text().splitlines()[-lines:])
