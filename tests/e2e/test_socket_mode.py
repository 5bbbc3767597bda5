"""Socket Mode as an operator runs it, while Slack cannot be reached: it obeys SIGTERM and SIGINT
within the drain time, and /readyz says "not ready" until the socket is connected."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.botproc import ROOT, free_port
from tests.e2e.conftest import API_KEY, BOT_TOKEN, Upstreams

STOP_WITHIN = 20.0  # the drain time


def start_socket_mode(
    workdir: Path, up: Upstreams, health_port: int, **extra: str
) -> subprocess.Popen[bytes]:
    closed = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens: Slack is unreachable
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(workdir),
        "PYTHONPATH": str(ROOT),
        "INCIDENTIO_API_KEY": API_KEY,
        "INCIDENTIO_BASE_URL": up.emulator_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": "xapp-1-unreachable",
        "SLACK_API_URL": closed,
        "HEALTH_PORT": str(health_port),
        "INCIDENT_BOT_PROBE_FILE": str(workdir / "probe"),
        "INCIDENT_BOT_DATA_DIR": str(workdir / "data"),
        "LOG_FORMAT": "json",
        **extra,
    }
    log = (workdir / "bot.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], env=env, cwd=workdir, stdout=log, stderr=log
    )


def readyz(port: int, timeout: float = 15.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            if response.json().get("catalog_loaded"):
                return response
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the probe port never answered with the catalog loaded")
        time.sleep(0.1)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_socket_mode_stops_on_a_signal_while_slack_is_unreachable(
    upstreams: Upstreams, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    port = free_port()
    proc = start_socket_mode(tmp_path, upstreams, port)
    try:
        response = readyz(port)
        assert response.status_code == 503
        assert response.json()["slack_connected"] is False
        assert response.json()["incidentio_reachable"] is True
        recorded = (tmp_path / "probe").read_text().splitlines()
        assert recorded == [f"http://127.0.0.1:{port}/healthz", f"pid {proc.pid}"]
        started = time.monotonic()
        proc.send_signal(stop_signal)
        code = proc.wait(STOP_WITHIN)
        assert time.monotonic() - started < STOP_WITHIN
        assert code == 0, (tmp_path / "bot.log").read_text()[-3000:]
        assert not (tmp_path / "probe").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    log = (tmp_path / "bot.log").read_text()
    assert "connected to Slack in Socket Mode" not in log and "Traceback" not in log, log[-4000:]


def test_socket_mode_takes_incident_io_webhooks_on_the_probe_port(
    upstreams: Upstreams, tmp_path: Path
) -> None:
    upstreams.reset()
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    port = free_port()
    proc = start_socket_mode(tmp_path, upstreams, port, INCIDENTIO_WEBHOOK_SECRET=secret)
    try:
        readyz(port)
        upstreams.emulator.webhooks.configure(None, secret)
        incident = upstreams.emulator.create_incident("Declared elsewhere")
        delivery = upstreams.emulator.webhooks.signed(
            "public_incident.incident_updated_v2", incident, incident["id"]
        )
        url = f"http://127.0.0.1:{port}/incidentio/webhooks"
        taken = httpx.post(url, content=delivery.body, headers=delivery.headers, timeout=10)
        forged = httpx.post(url, content=delivery.body, timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(STOP_WITHIN)
    assert (taken.status_code, taken.json()) == (200, {"result": "no card"})
    assert forged.status_code == 401
    log = (tmp_path / "bot.log").read_text()
    said = f"serving probes on 0.0.0.0:{port} (/healthz, /readyz, /metrics; "
    assert said + 'POST /incidentio/webhooks: on)"' in log
