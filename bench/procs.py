"""The benchmark's child processes: the bot as production runs it, the bare Bolt app, the emulator.

Each is started as its own Python process on a loopback port and is ready when it answers HTTP;
stopping one sends SIGTERM to that process alone (never by name).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_kib(pid: int) -> int:
    """Resident memory of a process (VmRSS in /proc/<pid>/status), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Child:
    """One child process serving HTTP on 127.0.0.1:<port>, its output kept in a log file."""

    def __init__(
        self, name: str, argv: list[str], port: int, env: dict[str, str], cpus: set[int] | None
    ) -> None:
        self.name, self.port = name, port
        self.log: IO[bytes] = tempfile.NamedTemporaryFile(
            prefix=f"bench-{name}-", suffix=".log", delete=False
        )
        # A scratch working directory: no developer's .env is read by the bot's Settings.
        self._cwd = tempfile.mkdtemp(prefix=f"bench-{name}-")
        self.proc = subprocess.Popen(
            argv, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self._cwd
        )
        if cpus:
            os.sched_setaffinity(self.proc.pid, cpus)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.proc.returncode}); see {self.log.name}"
                )
            try:
                if httpx.get(self.url + path, timeout=1.0).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"{self.name} not ready after {timeout}s; see {self.log.name}")

    def stop(self) -> None:
        """SIGTERM, then wait; the log is kept only when the process did not end cleanly."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self._cwd, ignore_errors=True)
        if self.proc.returncode in (0, -signal.SIGTERM):
            Path(self.log.name).unlink(missing_ok=True)
        else:
            print(
                f"{self.name} exited {self.proc.returncode}; see {self.log.name}", file=sys.stderr
            )


def _env(extra: dict[str, str]) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONUNBUFFERED"] = "1"
    # The checkout, whether or not the project is pip-installed into this interpreter.
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def cpu_split() -> tuple[set[int] | None, set[int] | None]:
    """(the app under test, everything else): a core of its own for the app being measured, as
    it would have in production, so the load generator and the fakes do not take its time."""
    cpus = os.sched_getaffinity(0)
    if len(cpus) < 2:
        return None, None
    app = {min(cpus)}
    return app, cpus - app


APP_CPUS, REST_CPUS = cpu_split()


def start_emulator(*, validate: bool = True) -> Child:
    port = free_port()
    argv = [PYTHON, "-m", "sandbox.emulator", "--port", str(port)]
    if not validate:
        argv.append("--no-validate")
    child = Child("emulator", argv, port, _env({}), REST_CPUS)
    child.wait_ready("/_emulator/state?recent=0")
    return child


def start_bot(
    emulator_url: str, slack_api_url: str, signing_secret: str, api_key: str, bot_token: str
) -> Child:
    """`python -m bot serve --http`, configured by environment variables as in production."""
    port = free_port()
    env = _env(
        {
            "INCIDENTIO_API_KEY": api_key,
            "INCIDENTIO_BASE_URL": emulator_url,
            "SLACK_BOT_TOKEN": bot_token,
            "SLACK_SIGNING_SECRET": signing_secret,
            "SLACK_API_URL": slack_api_url,
            "SLACK_APP_TOKEN": "",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
        }
    )
    argv = [PYTHON, "-m", "bot", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
    child = Child("bot", argv, port, env, APP_CPUS)
    child.wait_ready("/healthz")
    return child


def start_bare(
    slack_api_url: str, signing_secret: str, bot_token: str, modal: Path | None = None
) -> Child:
    """bench/bare_app.py: acks only, or with `modal` (a view's JSON file) acks and opens it."""
    port = free_port()
    env = _env(
        {
            "SLACK_BOT_TOKEN": bot_token,
            "SLACK_SIGNING_SECRET": signing_secret,
            "SLACK_API_URL": slack_api_url,
        }
    )
    argv = [PYTHON, str(BENCH_DIR / "bare_app.py"), "--port", str(port)]
    if modal is not None:
        argv += ["--modal", str(modal)]
    child = Child("bare-modal" if modal else "bare", argv, port, env, APP_CPUS)
    child.wait_ready("/healthz")
    return child


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (/proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
