"""The compose file, the image and the launcher describe the same services as the module
registry (Docker is not available here: the files are parsed, not run)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import yaml

from services.launcher import Launcher
from services.testing.stack import ROOT, Stack
from shared.modules import MODULE_NAMES


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_compose_services_match_registry_and_launcher() -> None:
    services = {k: v for k, v in compose()["services"].items() if "profiles" not in v}
    assert set(services) == {"redis", "gateway", *(f"worker-{m}" for m in MODULE_NAMES)}
    for child in Launcher.plan():
        name = "gateway" if child.name == "gateway" else f"worker-{child.name.split(':', 1)[1]}"
        # the launcher runs `python -m services.cli <args>`, compose runs `autobang <args>`
        assert services[name]["command"] == ["autobang", *child.argv[3:]]


def test_compose_runtime_settings() -> None:
    doc = compose()
    services = doc["services"]
    redis = services["redis"]
    cmd = redis["command"]
    assert cmd[cmd.index("--appendonly") + 1] == "yes"
    assert cmd[cmd.index("--maxmemory-policy") + 1] == "noeviction"
    assert "ports" not in redis and redis["healthcheck"]["test"]
    for name, svc in services.items():
        assert svc["init"] is True, name
        assert svc["healthcheck"]["test"], name
        if name == "redis":
            continue
        assert svc["image"] == "autobangdream:latest" and svc["build"] == "."  # one image
        assert "data:/data" in svc["volumes"]
        assert svc["environment"]["AUTOBANG_REDIS_URL"] == "redis://redis:6379/0"
        assert svc["depends_on"]["redis"]["condition"] == "service_healthy"
        assert int(svc["stop_grace_period"].rstrip("s")) >= 10
        if name == "simulator":  # profile "sim": the simulated game, on the compose network only
            assert svc["profiles"] == ["sim"] and "ports" not in svc
            assert "autobang simulator --host 0.0.0.0 --port 5037" in svc["command"][-1]
        elif name == "worker-scriptor-mumu2":  # profile: a scriptor for a second emulator
            assert svc["profiles"] == ["mumu2"] and svc["command"] == ["autobang", "worker", "scriptor"]
            assert svc["environment"]["AUTOBANG_DEVICE_NAME"] == "mumu2" and "ports" not in svc
            assert svc["healthcheck"]["test"][-1] == "scriptor@mumu2"
        elif name != "gateway":
            assert "ports" not in svc and svc["healthcheck"]["test"][-1] == name.removeprefix("worker-")
    assert all(p.startswith("127.0.0.1:") for p in services["gateway"]["ports"])
    assert set(doc["volumes"]) >= {"data", "redis"}


def test_dockerfile_is_multi_stage_with_the_dashboard() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert stages[0].startswith("FROM node:20") and " AS dashboard" in stages[0]
    assert stages[-1].startswith("FROM python:3.11")
    assert "COPY --from=dashboard /src/frontend/dist/ frontend/dist/" in text
    assert "download.pytorch.org/whl/cpu" in text  # never the CUDA build
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "frontend/node_modules", "data"} <= set(ignored)


def test_health_command_used_by_the_healthchecks(live: Stack) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBANG_")}
    env.update({"AUTOBANG_REDIS_URL": live.redis_url, "AUTOBANG_PORT": live.url.rsplit(":", 1)[1]})

    def health(service: str, **extra: str) -> int:
        run = subprocess.run(
            [sys.executable, "-m", "services.cli", "health", service],
            env={**env, **extra},
            capture_output=True,
            timeout=60,
            check=False,
        )
        return run.returncode

    assert health("gateway") == 0
    assert health("fetch") == 0
    assert health("fetch", AUTOBANG_REDIS_URL="redis://127.0.0.1:1/0") == 1
    assert health("gateway", AUTOBANG_PORT="1") == 1


def test_openapi_command_prints_complete_schema() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "services.cli", "openapi"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    schema = yaml.safe_load(out.stdout)  # JSON is YAML
    paths = schema["paths"]
    for path in (
        "/healthz",
        "/api/modules",
        "/api/{module}/config",
        "/api/{module}/update_config",
        "/api/{module}/tasks/{task}/start",
        "/api/{module}/tasks/{task}/stop",
        "/api/{module}/stop",
        "/api/{module}/reply",
        "/api/scriptor/available-states",
        "/api/scriptor/weight-titles",
        "/api/scriptor/check-song/{song_id}",
        "/api/{module}/images/{kind}",
        "/api/workflow/color",
    ):
        assert path in paths, path
    schemas = schema["components"]["schemas"]
    assert {"WsMessage", "LogEvent", "StateEvent", "PromptEvent", "SnapshotMessage", "TrimmedMessage"} <= set(
        schemas
    )
    assert set(schemas["WsMessage"]["discriminator"]["mapping"]) == {
        "log",
        "state",
        "progress",
        "prompt",
        "image",
        "config",
        "snapshot",
        "trimmed",
    }
    for path, ops in paths.items():
        for method, op in ops.items():
            ok = op["responses"].get("200", {})
            assert ok.get("content"), f"{method} {path} has no typed response"
