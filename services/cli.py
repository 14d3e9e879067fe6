"""The ``autobang`` command: the one entry point for people, CI and the compose file.

autobang up [--port P] [--data-dir D] [--host H]   everything (embedded default)
autobang gateway                                   the HTTP/WebSocket gateway
autobang worker <module>                           the RQ worker of one module
autobang worker scriptor --redis URL --device adb://HOST:PORT   the same, on another machine
autobang openapi                                   print the OpenAPI JSON
autobang simulator [--scenario F] [--port P]       the simulated emulator (ADB server + touch)
autobang device info | benchmark [--frames N]      the game's device (AUTOBANG_DEVICE)
autobang play CHART --touch URL --start-at EPOCH_S play a chart against a touch injector
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from shared.modules import MODULE_NAMES
from shared.settings import get_settings


def apply_options(args: argparse.Namespace) -> None:
    """Command-line options win over the environment: pass them on as AUTOBANG_* so every
    child process (and ``get_settings``) sees the same values."""
    for name, env in (
        ("port", "PORT"),
        ("host", "HOST"),
        ("data_dir", "DATA_DIR"),
        ("redis", "REDIS_URL"),
        ("redis_password_file", "REDIS_PASSWORD_FILE"),
        ("device", "DEVICE"),
        ("device_name", "DEVICE_NAME"),
    ):
        value = getattr(args, name, None)
        if value is not None:
            if name in ("data_dir", "redis_password_file"):
                value = Path(value).expanduser().resolve()
            os.environ[f"AUTOBANG_{env}"] = str(value)
    get_settings.cache_clear()


def cmd_up(args: argparse.Namespace) -> int:
    from services.launcher import Launcher

    settings = get_settings()
    launcher = Launcher(settings, settings.host, settings.port, settings.data_dir.resolve())
    return launcher.run()


def cmd_gateway(args: argparse.Namespace) -> int:
    import uvicorn

    from services.gateway import access_log, redact
    from services.gateway.app import create_app
    from services.gateway.http_timeouts import HeadTimeoutProtocol

    settings = get_settings()
    access_log.configure(settings.access_log)  # uvicorn keeps existing loggers' filters
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # The sans-I/O websockets protocol sends ~1.3-1.5x more events/s than the legacy one
        # here (scripts/bench_platform.py, docs/performance.md).
        ws="websockets-sansio",
        http=HeadTimeoutProtocol,  # idle or slow-header connections end after 10 s
        # Compression was 30-40% of the gateway's CPU in batch mode; the dashboard is on the
        # same host or LAN, where bandwidth is not the limit (docs/performance.md).
        ws_per_message_deflate=False,
    )
    redact.install()  # after uvicorn configured its loggers
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 3  # as uvicorn.run: 3 when it could not start


def cmd_worker(args: argparse.Namespace) -> int:
    from shared.runtime.worker import run_worker

    if args.redis or args.device or args.device_name:  # joining from another machine: check before serving
        from services.remote_worker import Refused, check_device, check_device_name, check_redis

        try:
            check_device_name(args.module, args.device_name)
            where = check_redis(get_settings().resolved_redis_url)
            print(f"[worker] {args.module}: Redis at {where} answers", flush=True)
            if args.device:
                said = check_device(args.module, get_settings())
                unit = f"{args.module}@{args.device_name}" if args.device_name else args.module
                print(f"[worker] {unit}: serving the device {said}", flush=True)
        except Refused as exc:
            print(f"worker {args.module}: {exc}", file=sys.stderr)
            return 2
    run_worker(args.module, burst=args.burst)
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    """Container healthchecks: the gateway answers /healthz, a worker's heartbeat is fresh."""
    settings = get_settings()
    try:
        if args.service == "gateway":
            import httpx

            from services.launcher import local_host

            url = f"http://{local_host(settings.host)}:{settings.port}/healthz"
            ok = bool(httpx.get(url, timeout=3).json().get("ok"))
        else:
            from shared import keys
            from shared.runtime.connection import connect

            ok = bool(connect(ride_out_s=1.0).exists(keys.worker_heartbeat(args.service)))
    except Exception as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    if not ok:
        print(f"unhealthy: {args.service}", file=sys.stderr)
    return 0 if ok else 1


def cmd_simulator(args: argparse.Namespace) -> int:
    from services.simulator.run import run
    from services.simulator.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(Path(args.scenario) if args.scenario else None)
    except ScenarioError as exc:
        print(f"autobang simulator: {exc}", file=sys.stderr)
        return 2
    return run(scenario, args.adb_port, get_settings().data_dir.resolve(), args.adb_host)


def cmd_inspect(args: argparse.Namespace) -> int:
    from services.recognition.screen.inspect import inspect_files
    from services.recognition.ui.classifier import UIClassifier, current_model
    from shared.catalog import load_catalog

    data_dir = get_settings().data_dir.resolve()
    ui = UIClassifier(current_model(data_dir))

    def classify(frame: Any) -> tuple[str, float]:
        p = ui.classify(frame)
        return p.state, p.confidence

    songs = tuple(load_catalog(data_dir))
    return inspect_files([Path(f) for f in args.frames], args.screen, classify, songs, print)


def cmd_openapi(args: argparse.Namespace) -> int:
    from services.gateway.app import create_app

    json.dump(create_app().openapi(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_device(args: argparse.Namespace) -> int:
    """``info``: which device AUTOBANG_DEVICE reaches; ``benchmark``: each capture backend."""
    from shared.device import DeviceError
    from shared.device.adb import AdbDevice
    from shared.device.benchmark import benchmark, table
    from shared.device.factory import open_device

    try:
        device = open_device()
    except DeviceError as exc:
        print(f"device: {exc}", file=sys.stderr)
        return 1
    try:
        if args.action == "info":
            json.dump(device.info.as_dict(), sys.stdout, indent=2)
            sys.stdout.write("\n")
            return 0
        if not isinstance(device, AdbDevice):
            print(f"device: {device.info.serial} is pictures, nothing to benchmark", file=sys.stderr)
            return 1
        info = device.info
        print(f"{info.serial} ({info.detail}), {args.frames} frames per backend")
        from shared.device.capture import CAPTURE_NAMES

        backends = tuple(b.strip() for b in args.backends.split(","))
        unknown = [b for b in backends if b not in CAPTURE_NAMES]
        if unknown:
            print(
                f"device: unknown backend {', '.join(unknown)} (use {', '.join(CAPTURE_NAMES)})",
                file=sys.stderr,
            )
            return 2
        results = benchmark(device, frames=args.frames, backends=backends)
        print(table(results))
        if args.json:
            from shared.atomic_write import write_atomic

            payload = json.dumps([r.as_dict() for r in results], indent=2) + "\n"
            write_atomic(Path(args.json), payload.encode())
        return 0 if any(r.ok for r in results) else 1
    finally:
        device.close()


def service_name(text: str) -> str:
    """``autobang health``'s argument: the gateway, a module or a unit (``scriptor@mumu2``)."""
    from shared.modules import get_unit

    if text != "gateway":
        try:
            get_unit(text)
        except KeyError as exc:
            raise argparse.ArgumentTypeError(str(exc.args[0])) from exc
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autobang", description="AutoBangDream services")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", help="data folder (env AUTOBANG_DATA_DIR)")

    up = sub.add_parser("up", help="redis (unless AUTOBANG_REDIS_URL), gateway and all workers")
    up.add_argument("--port", type=int, help="gateway port (env AUTOBANG_PORT, default 8000)")
    up.add_argument("--host", help="gateway address (env AUTOBANG_HOST, default 127.0.0.1)")
    common(up)
    up.set_defaults(func=cmd_up)

    gw = sub.add_parser("gateway", help="the HTTP/WebSocket gateway")
    gw.add_argument("--port", type=int)
    gw.add_argument("--host")
    common(gw)
    gw.set_defaults(func=cmd_gateway)

    wk = sub.add_parser("worker", help="the RQ worker of one module")
    wk.add_argument("module", choices=MODULE_NAMES)
    wk.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    wk.add_argument(
        "--redis",
        metavar="URL",
        help="the product's Redis, redis://:PASSWORD@HOST:PORT/0 (env AUTOBANG_REDIS_URL)",
    )
    wk.add_argument("--redis-password-file", metavar="PATH", help="the Redis password, when the URL has none")
    wk.add_argument(
        "--device",
        metavar="SPEC",
        help="the device this worker serves, adb://HOST:PORT[/SERIAL] (env AUTOBANG_DEVICE)",
    )
    wk.add_argument(
        "--device-name",
        metavar="NAME",
        help="its name in the device list when it is not the first device: the worker serves "
        "MODULE@NAME (env AUTOBANG_DEVICE_NAME)",
    )
    common(wk)
    wk.set_defaults(func=cmd_worker)

    hc = sub.add_parser("health", help="exit 0 when the gateway or a module's worker is healthy")
    hc.add_argument("service", type=service_name, help="gateway, a module, or module@DEVICE (its worker)")
    hc.set_defaults(func=cmd_health)

    sim = sub.add_parser("simulator", help="a simulated emulator: an ADB server with the game behind it")
    sim.add_argument("--scenario", help="scenario JSON (docs/simulator.md); default: the shipped one")
    # Own dest names: --port/--host here are the ADB server's, not the gateway's AUTOBANG_*.
    sim.add_argument("--port", dest="adb_port", type=int, default=5037, help="ADB server port (default 5037)")
    sim.add_argument(
        "--host", dest="adb_host", default="127.0.0.1", help="listen address (default 127.0.0.1)"
    )
    common(sim)
    sim.set_defaults(func=cmd_simulator)
    dv = sub.add_parser("device", help="the game's device: info, or benchmark the capture backends")
    dv.add_argument("action", choices=("info", "benchmark"))
    dv.add_argument("--frames", type=int, default=20, help="captures per backend (benchmark)")
    dv.add_argument("--backends", default="png,raw,stream", help="comma-separated (benchmark)")
    dv.add_argument("--json", help="also write the benchmark's results to this file")
    common(dv)
    dv.set_defaults(func=cmd_device)

    ins = sub.add_parser(
        "inspect",
        help="what the product reads from saved frames: one JSON object per frame (exit 0: all read)",
    )
    ins.add_argument("frames", nargs="+", metavar="FRAME", help="PNG/JPEG screenshots, any 16:9 size")
    ins.add_argument(
        "--screen",
        choices=("auto", "result", "ready", "playing"),
        default="auto",
        help="the reader to use whatever the UI classifier says (auto: the classifier's state's)",
    )
    common(ins)
    ins.set_defaults(func=cmd_inspect)

    oa = sub.add_parser("openapi", help="print the gateway's OpenAPI schema (for the dashboard's types)")
    oa.set_defaults(func=cmd_openapi)

    from services.scriptor.play.command import add_parser as add_play_parser

    add_play_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_options(args)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
