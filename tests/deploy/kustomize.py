"""Building deploy/kubernetes/ as `kubectl apply -k` would, and reading what it built.

The real tool, never a stand-in: `kustomize build`, else `kubectl kustomize` (kubectl bundles
kustomize). Neither on PATH fails the test run; .ci/run installs kubectl on a machine without it.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy/kubernetes"
# Every kustomization a person is told to build (README.md, Kubernetes).
BUILDS = ("base", "overlays/postgresql", "examples/production")


def _tool() -> list[str]:
    if found := shutil.which("kustomize"):
        return [found, "build"]
    if found := shutil.which("kubectl"):
        return [found, "kustomize"]
    pytest.fail(
        "neither kustomize nor kubectl is on PATH, so deploy/kubernetes/ cannot be built "
        "(.ci/run installs kubectl where it is missing)",
        pytrace=False,
    )


@functools.cache
def _built(build: str) -> str:
    done = subprocess.run(
        [*_tool(), str(KUBERNETES / build)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(_tool())} {build} failed:\n{done.stderr}", pytrace=False)
    return done.stdout


def built(build: str) -> list[dict[str, Any]]:
    """The resources `build` renders to (a fresh copy each call: tests may change it)."""
    return [doc for doc in yaml.safe_load_all(_built(build)) if doc]


def one(resources: list[dict[str, Any]], kind: str, name: str = "incident-bot") -> dict[str, Any]:
    matches = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(matches) == 1, f"{len(matches)} {kind} named {name}"
    return matches[0]


def config_map(resources: list[dict[str, Any]]) -> dict[str, str]:
    """The bot's settings from its generated ConfigMap (whose name kustomize suffixes)."""
    bot = one(resources, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    (name,) = [source["configMapRef"]["name"] for source in bot["envFrom"]]
    data: dict[str, str] = one(resources, "ConfigMap", name)["data"]
    return data


def container(resources: list[dict[str, Any]], kind: str = "Deployment") -> dict[str, Any]:
    (only,) = one(resources, kind)["spec"]["template"]["spec"]["containers"]
    return dict(only)
