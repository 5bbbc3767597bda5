"""A pod of deploy/kubernetes/base as a real process: the ConfigMap's settings in its environment,
its store the PostgreSQL that DATABASE_URL names; it answers the Deployment's probes and its
metrics annotation and Slack's URL check, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.deploy.kustomize import built, config_map, container, one
from tests.e2e.botproc import BotProcess
from tests.e2e.conftest import Upstreams


async def test_a_pod_s_settings_serve_its_probes_on_postgresql(
    upstreams: Upstreams, launch_bot: Callable[..., BotProcess], postgres: str, tmp_path: Path
) -> None:
    upstreams.reset()
    resources = built("base")
    pod = container(resources)
    settings = config_map(resources)
    # Each test process takes a free port (tests/deploy ties PORT to the container's port).
    settings.pop("PORT")
    tmp = tmp_path / "tmp"  # the pod's only writable place but /data: an emptyDir at /tmp
    tmp.mkdir()
    bot = launch_bot(upstreams, env={**settings, "DATABASE_URL": postgres, "TMPDIR": str(tmp)})

    async with httpx.AsyncClient(base_url=bot.url, timeout=10.0) as http:
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            answer = await http.get(pod[probe]["httpGet"]["path"])
            assert answer.status_code == 200, (probe, answer.text)
        annotations = one(resources, "Deployment")["spec"]["template"]["metadata"]["annotations"]
        metrics = await http.get(annotations["prometheus.io/path"])
        assert "incident_bot_incidentio_requests_total" in metrics.text
        # Switched to HTTP (README, Kubernetes), the Slack app checks its URL first.
        body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"})
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(bot.signing_secret).generate_signature(
            timestamp=timestamp, body=body
        )
        headers = {
            "content-type": "application/json",
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature or "",
        }
        checked = await http.post("/slack/events", content=body, headers=headers)
        assert checked.json() == {"challenge": "c-123"}
    # `incident-bot healthcheck` finds the process through a file there
    assert [path.suffix for path in tmp.iterdir()] == [".probe"]

    assert bot.stop() == 0, bot.tail()
    started = [line for line in bot.log_lines() if "schema at revision" in line.get("message", "")]
    assert started and "postgresql+asyncpg://" in started[0]["message"], bot.tail()
    assert list(tmp.iterdir()) == [], "the probe file outlived the process"
