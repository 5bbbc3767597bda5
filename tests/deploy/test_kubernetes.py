"""deploy/kubernetes/ builds with the real kustomize, is valid Kubernetes, and agrees with the bot:
its settings, its probes, its port, its shutdown, its image, its share of incident.io's limits."""

from __future__ import annotations

import itertools
import re
import typing
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from pydantic import SecretStr

from bot.__main__ import _parser
from bot.config import Settings, load_settings
from bot.server import DRAIN_SECONDS, READY_TIMEOUT, probe_routes
from bot.store.url import parse
from tests.deploy.kustomize import BUILDS, ROOT, built, config_map, container, one

# The oldest Kubernetes still commonly run, and the newest the validator knows.
VERSIONS = ("1.29.0", kubernetes_validate.latest_version())
# incident.io's allowance for one API key, a minute (API-NOTES, rate limits).
REQUESTS_PER_KEY = 1200
PAGES_PER_KEY = 60


def _secret_settings() -> set[str]:
    return {
        name.upper()
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr or SecretStr in typing.get_args(field.annotation)
    }


def _env_names(bot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in bot.get("env", [])}


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("version", VERSIONS)
def test_every_resource_is_valid_kubernetes(build: str, version: str) -> None:
    resources = built(build)
    assert resources
    for resource in resources:
        # strict: a misspelt field is an error, not a field the cluster silently drops
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_validator_would_catch_a_misspelt_field() -> None:
    deployment = one(built("base"), "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError, match="readinesProbe"):
        kubernetes_validate.validate(deployment, VERSIONS[0], strict=True)


@pytest.mark.parametrize("build", BUILDS)
def test_the_configmap_holds_settings_the_bot_reads_and_no_secret(
    build: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = config_map(built(build))
    known = {name.upper() for name in Settings.model_fields}
    assert set(settings) <= known, f"not settings of the bot: {set(settings) - known}"
    assert not set(settings) & _secret_settings()
    # ...and the bot accepts their values (a bad one would stop every pod at start).
    monkeypatch.chdir(tmp_path)  # no stray .env
    secrets = {"incidentio_api_key": "k", "slack_bot_token": "xoxb-1"}
    load_settings(**secrets, **{name.lower(): value for name, value in settings.items()})


@pytest.mark.parametrize("build", BUILDS)
def test_secrets_come_from_the_secret_and_http_mode_s_are_required(build: str) -> None:
    env = _env_names(container(built(build)))
    assert not any("value" in entry for entry in env.values()), "a setting outside the ConfigMap"
    refs = {name: entry["valueFrom"]["secretKeyRef"] for name, entry in env.items()}
    # Socket Mode's token stays out: the pods serve HTTP.
    assert set(refs) == _secret_settings() - {"SLACK_APP_TOKEN"}
    assert all((ref["name"], ref["key"]) == ("incident-bot", name) for name, ref in refs.items())
    required = {
        name.upper() for name, field in Settings.model_fields.items() if field.is_required()
    }
    # HTTP mode needs the signing secret; replicas need the shared store.
    for name in required | {"SLACK_SIGNING_SECRET", "DATABASE_URL"}:
        assert not refs[name].get("optional", False), f"{name} must be required"


@pytest.mark.parametrize("build", BUILDS)
def test_the_pod_serves_http_on_the_port_the_service_and_probes_use(build: str) -> None:
    resources = built(build)
    bot = container(resources)
    args = _parser().parse_args(bot["command"][1:])
    assert bot["command"][0] == "incident-bot"
    assert (args.command, args.http, args.workers, args.port) == ("serve", True, 1, None)
    (port,) = bot["ports"]
    assert port["containerPort"] == int(config_map(resources)["PORT"])
    (service_port,) = one(resources, "Service")["spec"]["ports"]
    assert service_port["targetPort"] == port["name"]
    annotations = one(resources, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port["containerPort"])


def test_the_probes_ask_paths_the_bot_serves() -> None:
    bot = container(built("base"))
    served = {route.path for route in probe_routes(typing.cast(Any, None))}
    probes = {
        kind: bot[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    assert {probe["path"] for probe in probes.values()} <= served
    assert probes["readinessProbe"]["path"] == "/readyz"
    assert probes["livenessProbe"]["path"] == "/healthz"
    assert {probe["port"] for probe in probes.values()} == {bot["ports"][0]["name"]}
    # /readyz may spend READY_TIMEOUT loading the catalog before it answers
    assert bot["readinessProbe"]["timeoutSeconds"] > READY_TIMEOUT


def test_a_pod_is_given_the_time_the_bot_takes_to_stop() -> None:
    deployment = one(built("base"), "Deployment")
    bot = container([deployment])
    (_, seconds) = bot["lifecycle"]["preStop"]["exec"]["command"]
    # the preStop wait, then uvicorn's wait for open requests, then the in-flight work's drain
    needed = int(seconds) + 2 * DRAIN_SECONDS
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > needed


@pytest.mark.parametrize("build", BUILDS)
def test_replicas_together_stay_under_the_keys_limits(build: str) -> None:
    resources = built(build)
    spec = one(resources, "Deployment")["spec"]
    # During a rollout the surged pod runs beside all the others.
    processes = spec["replicas"] + spec["strategy"]["rollingUpdate"]["maxSurge"]
    settings = config_map(resources)
    assert processes * int(settings["INCIDENTIO_RATE_LIMIT_PER_MINUTE"]) <= REQUESTS_PER_KEY
    assert processes * int(settings["INCIDENTIO_PAGE_LIMIT"]) <= PAGES_PER_KEY


@pytest.mark.parametrize("build", BUILDS)
def test_pods_run_unprivileged_on_a_read_only_root(build: str) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    (uid,) = re.findall(r"--uid (\d+)", dockerfile)
    pod = one(built(build), "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == int(uid)
    assert pod["automountServiceAccountToken"] is False
    bot = pod["containers"][0]
    assert bot["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    # the probe file (`incident-bot healthcheck`) goes to the temporary directory
    assert "/tmp" in {mount["mountPath"] for mount in bot["volumeMounts"]}


@pytest.mark.parametrize("build", BUILDS)
def test_each_selector_picks_the_pods_of_one_workload(build: str) -> None:
    resources = built(build)
    workloads = [r for r in resources if r["kind"] in ("Deployment", "StatefulSet")]

    def picked(selector: dict[str, str]) -> list[str]:
        return [
            w["metadata"]["name"]
            for w in workloads
            if selector.items() <= w["spec"]["template"]["metadata"]["labels"].items()
        ]

    for resource in resources:
        if resource["kind"] == "Service":
            assert len(picked(resource["spec"]["selector"])) == 1, resource["metadata"]["name"]
        if resource["kind"] == "PodDisruptionBudget":
            assert picked(resource["spec"]["selector"]["matchLabels"]) == ["incident-bot"]


def test_the_readmes_database_url_reaches_the_trial_postgresql() -> None:
    resources = built("overlays/postgresql")
    (url,) = set(
        re.findall(r"postgresql\+asyncpg://[^\s@]+@incident-bot-postgresql[\w:/]*", _readme())
    )
    parsed = parse(url.replace("$PASSWORD", "secret"))
    service = one(resources, "Service", "incident-bot-postgresql")
    env = _env_names(_postgresql(resources))
    assert parsed.host == service["metadata"]["name"]
    assert parsed.port == service["spec"]["ports"][0]["port"]
    assert parsed.username == env["POSTGRES_USER"]["value"]
    assert parsed.database == env["POSTGRES_DB"]["value"]


def test_the_readme_routes_the_paths_the_example_ingress_routes() -> None:
    (ingress,) = [r for r in built("examples/production") if r["kind"] == "Ingress"]
    paths = {p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    (step,) = re.findall(r"^3\. Route (.*?)\n4\. ", _readme(), re.MULTILINE | re.DOTALL)
    assert paths == set(re.findall(r"https://YOUR-HOST(/[\w/]+)", step))


def test_no_readme_command_continues_into_a_commented_line() -> None:
    # Deleting the last line of a continued command (an optional setting, say) would otherwise
    # leave a backslash that swallows the next command.
    blocks = re.findall(r"```sh\n(.*?)```", _readme(), re.DOTALL)
    lines = [line.rstrip() for block in blocks for line in block.splitlines()]
    continued = [b for a, b in itertools.pairwise(lines) if a.endswith("\\")]
    assert continued and not [line for line in continued if "#" in line]


def _postgresql(resources: list[dict[str, Any]]) -> dict[str, Any]:
    statefulset = one(resources, "StatefulSet", "incident-bot-postgresql")
    (only,) = statefulset["spec"]["template"]["spec"]["containers"]
    return dict(only)


def _readme() -> str:
    return (ROOT / "README.md").read_text()
