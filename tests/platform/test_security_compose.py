"""The compose file keeps Redis private: a generated password (never written in the file,
never published), handed to redis-server in a config file and to every app service as a
read-only file (Docker is not available here: the file is parsed, not run)."""

from __future__ import annotations

from typing import Any

import yaml

from services.testing.stack import ROOT


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_redis_gets_a_generated_password_and_every_client_reads_it() -> None:
    doc = compose()
    redis = doc["services"]["redis"]
    script = redis["entrypoint"][2]
    assert "/dev/urandom" in script and "chmod 0400" in script and "chown 1000" in script
    assert "requirepass" in script and "/tmp/auth.conf" in script and "requirepass" not in redis["command"]
    assert "exec docker-entrypoint.sh redis-server /tmp/auth.conf" in script
    assert "ports" not in redis and "secrets:/secrets" in redis["volumes"]
    assert "REDISCLI_AUTH" in redis["healthcheck"]["test"][1]
    for name, svc in doc["services"].items():
        if name == "redis":
            continue
        assert "secrets:/secrets:ro" in svc["volumes"], name
        assert svc["environment"]["AUTOBANG_REDIS_PASSWORD_FILE"] == "/secrets/redis-password", name
        assert "@" not in svc["environment"]["AUTOBANG_REDIS_URL"], name  # no password in a URL
    assert "secrets" in doc["volumes"]
