"""inject.lua reads config JSON exactly as strictly as Python's json module (what the worker
uses to read the job), and every refusal is an error reply: ``redis-cli -e`` exits 1."""

from __future__ import annotations

import json

import pytest
import redis

from services.testing.inject import inject
from shared import keys

SAMPLES = [
    '{"epoch": 5}',
    '{"epoch": 0x10}',
    '{"epoch": 5} x',
    '{"epoch": NaN}',
    '{"epoch": Infinity}',
    '{"epoch": 05}',
    '{"epoch": 5.}',
    '{"epoch": .5}',
    '{"epoch": +5}',
    '{"epoch": 1e2}',
    '{"epoch": 1E+1}',
    '{"epoch": 1e}',
    '{"epoch": -0}',
    "{'epoch': 5}",
    '{"epoch": 5,}',
    '{"epoch": 5 /* c */}',
    '{"epoch": tru}',
    '{"epoch": 5, "epoch": 6}',
    '{"x": "\\u00e9"}',
    '{"x": "\\q"}',
    '{"x": "tab\there"}',
    '{"x": [1, 2, {"y": null}]}',
    '{"x": [1 2]}',
    '{"x": "unterminated}',
    '{"epoch": 5}}',
]


def python_reads(raw: str) -> bool:
    def no_constants(name: str) -> float:
        raise ValueError(name)

    try:
        json.loads(raw, parse_constant=no_constants)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("raw", SAMPLES)
def test_lua_reads_json_like_python(inject_url: str, raw: str) -> None:
    r = redis.Redis.from_url(inject_url, decode_responses=True)
    r.delete(keys.module_lease("ui_recognition"))
    out = inject(inject_url, "ui_recognition", "train_ui_recognition", raw)
    refused_json = "config is not valid JSON" in out.stdout + out.stderr
    assert refused_json == (not python_reads(raw)), out
    if refused_json:
        assert out.returncode == 1 and "at character" in out.stdout + out.stderr


def test_every_refusal_exits_non_zero_and_a_start_exits_zero(inject_url: str) -> None:
    r = redis.Redis.from_url(inject_url, decode_responses=True)
    r.delete(keys.module_lease("scriptor"))
    refusals = [
        (("scriptor", "rm_rf"), "UNKNOWN_TASK"),
        (("scriptor", "start_scriptor", "[1]"), "INVALID_CONFIG config must be a JSON object"),
        (("scriptor", "start_scriptor", '{"mode": "Fast"}'), "INVALID_CONFIG mode: must be one of"),
        (("scriptor", "start_scriptor", '{"nope": 1}'), "INVALID_CONFIG nope: unknown field"),
        (("scriptor",), "USAGE"),
    ]
    for args, expected in refusals:
        out = inject(inject_url, *args)
        assert out.returncode == 1 and expected in out.stdout + out.stderr, (args, out)
    ok = inject(inject_url, "scriptor", "start_scriptor", '{"mode": "Free"}')
    assert ok.returncode == 0 and ok.stdout.strip().startswith("inj-"), ok
    busy = inject(inject_url, "scriptor", "start_scriptor")
    assert busy.returncode == 1 and "MODULE_BUSY" in busy.stdout + busy.stderr
    assert r.llen(f"rq:queue:{keys.queue_name('scriptor')}") == 1  # only the accepted one


def test_a_long_bad_input_is_shown_only_as_an_excerpt(inject_url: str) -> None:
    out = inject(inject_url, "scriptor", "start_scriptor", '{"mode": ' + '"x", ' * 5000 + "}")
    assert out.returncode == 1 and "config is not valid JSON" in out.stdout + out.stderr
    assert len(out.stdout + out.stderr) < 600
