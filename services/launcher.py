"""``autobang up``: redis-server (when ``AUTOBANG_REDIS_URL`` is unset), the gateway and one
worker per module, supervised; Ctrl-C / SIGTERM stops all of it with no orphans.

Children run in their own sessions so a terminal's Ctrl-C reaches only the launcher,
which then stops things in order: running tasks cooperatively, workers (a second SIGTERM
is RQ's cold shutdown, which kills the work-horse), the gateway, Redis (flushing its AOF).
The launcher is a child subreaper, so a work-horse orphaned by a crashed worker is
re-parented here and swept up at the end. With ``AUTOBANG_DEVICE=sim[:scenario.json]`` it
first starts the simulated game (``autobang simulator``) on a free port and hands the
workers ``AUTOBANG_DEVICE=adb://127.0.0.1:PORT`` plus ``AUTOBANG_DEVICE_SIMULATED=1``.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx

from shared.atomic_write import write_atomic
from shared.config.devices import DeviceListError, load_devices
from shared.device.spec import parse_spec
from shared.modules import MODULE_NAMES
from shared.runtime.connection import connect, with_password
from shared.runtime.control import stop_module
from shared.runtime.state import is_active, read_state
from shared.settings import Settings

PR_SET_CHILD_SUBREAPER = 36
RESTART_DELAY_CAP_S = 30.0
REDIS_MAX_RESTARTS = 10  # in a row, each without reaching restart_healthy_s
ORPHAN_GRACE_S = 10.0


def restart_delay(restarts: int, base_s: float) -> float:
    """Seconds before the next restart of a child that crashed ``restarts`` times in a row."""
    return float(min(base_s * 2**restarts, RESTART_DELAY_CAP_S))


def redis_password(rdir: Path) -> str:
    """The embedded Redis's password: generated once, kept 0600 in the data dir."""
    path = rdir / "password"
    if not path.exists():
        write_atomic(path, secrets.token_urlsafe(24).encode(), 0o600)
    return path.read_text().strip()


def redis_args(port: int, rdir: Path) -> list[str]:
    return [
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--protected-mode",
        "yes",
        "--dir",
        str(rdir),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction",
        "--logfile",
        str(rdir / "redis.log"),
        "--daemonize",
        "no",
    ]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_in_use(host: str, port: int) -> str | None:
    """Why the gateway could not bind ``host:port`` (None when it can)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def local_host(host: str) -> str:
    """An address to reach a server listening on ``host`` from this machine."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def say(message: str) -> None:
    print(f"[autobang] {message}", flush=True)


def become_subreaper() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def direct_children(pid: int) -> list[tuple[int, str]]:
    """(pid, state letter) of the processes whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append((int(entry.name), fields[0]))
    return out


def children_of(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc), deepest last."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []
    todo = [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out.extend(kids)
        todo.extend(kids)
    return out


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)  # on top of the launcher's
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    died_at: float = 0.0
    started_at: float = 0.0


@dataclass
class Launcher:
    settings: Settings
    host: str
    port: int
    data_dir: Path
    redis_proc: subprocess.Popen[bytes] | None = None
    redis_url: str = ""
    redis_exe: str = ""
    redis_port: int = 0
    redis_started: float = 0.0
    redis_died_at: float = 0.0
    redis_restarts: int = 0
    orphans: dict[int, float] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    stopping: bool = False
    device_env: dict[str, str] = field(default_factory=dict)  # AUTOBANG_DEVICE for the workers
    sim_port: int = 0

    @property
    def url(self) -> str:
        return f"http://{local_host(self.host)}:{self.port}/"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "AUTOBANG_REDIS_URL": self.redis_url,
                "AUTOBANG_DATA_DIR": str(self.data_dir),
                "AUTOBANG_HOST": self.host,
                "AUTOBANG_PORT": str(self.port),
                "PYTHONUNBUFFERED": "1",
                **self.device_env,
            }
        )
        return env

    # -- redis -------------------------------------------------------------------------
    def start_redis(self) -> None:
        if self.settings.redis_url:
            self.redis_url = self.settings.redis_url
            say(f"using Redis at {self.redis_url}")
            return
        exe = shutil.which("redis-server")
        if exe is None:
            raise SystemExit(
                "redis-server not found: install it (apt-get install redis-server) or set AUTOBANG_REDIS_URL"
            )
        self.redis_exe = exe
        self.redis_port = free_port()
        password = redis_password(self.data_dir / "redis")
        self.redis_url = with_password(f"redis://127.0.0.1:{self.redis_port}/0", password)
        self._spawn_redis()
        if not self._wait_redis(30.0):
            log_path = self.data_dir / "redis" / "redis.log"
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise SystemExit(f"redis-server did not start:\n{tail}")
        say(f"redis-server on 127.0.0.1:{self.redis_port} (AOF and password under {self.data_dir / 'redis'})")

    def _spawn_redis(self) -> None:
        rdir = self.data_dir / "redis"
        rdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        rdir.chmod(0o700)
        argv = [self.redis_exe, "-", *redis_args(self.redis_port, rdir)]
        # umask 077: the AOF (every key, the config included) is readable by this user only.
        self.redis_proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, start_new_session=True, preexec_fn=lambda: os.umask(0o077)
        )
        # The password goes in on stdin (config read from "-"), not on the command line
        # where every local user could read it.
        assert self.redis_proc.stdin is not None
        self.redis_proc.stdin.write(f"requirepass {redis_password(rdir)}\n".encode())
        self.redis_proc.stdin.close()
        self.redis_started = time.monotonic()

    def _wait_redis(self, timeout: float) -> bool:
        r = connect(self.redis_url, ride_out_s=0)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if r.ping():
                    return True
            except Exception:
                proc = self.redis_proc
                if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                    return False
                time.sleep(0.05)

    def supervise_redis(self) -> None:
        """Restart an embedded redis-server that died, on the same port (every client
        reconnects to it) and data dir (the AOF brings the data back)."""
        proc = self.redis_proc
        if proc is None or self.stopping or proc.poll() is None:
            return
        now = time.monotonic()
        if now - self.redis_started >= self.settings.restart_healthy_s:
            self.redis_restarts = 0
        if not self.redis_died_at:
            self.redis_died_at = now
            delay = restart_delay(self.redis_restarts, self.settings.restart_delay_s)
            say(f"redis-server exited with {proc.returncode}; restarting in {delay:g} s (same port, AOF)")
        if now - self.redis_died_at < restart_delay(self.redis_restarts, self.settings.restart_delay_s):
            return
        self.redis_restarts += 1
        self.redis_died_at = 0.0
        self._spawn_redis()
        if self._wait_redis(10.0):
            say(f"redis-server is back on 127.0.0.1:{self.redis_port}")
        elif self.redis_restarts >= REDIS_MAX_RESTARTS:
            say("redis-server does not come back; stopping everything")
            self.stopping = True

    # -- children ----------------------------------------------------------------------
    def spawn(self, child: Child) -> None:
        child.proc = subprocess.Popen(
            child.argv, env={**self.env(), **child.env}, stdin=subprocess.DEVNULL, start_new_session=True
        )
        child.started_at = time.monotonic()

    @staticmethod
    def plan() -> list[Child]:
        """What ``up`` runs besides Redis: the gateway and one worker per registered module."""
        py = sys.executable
        children = [Child("gateway", [py, "-m", "services.cli", "gateway"])]
        children += [Child(f"worker:{m}", [py, "-m", "services.cli", "worker", m]) for m in MODULE_NAMES]
        return children

    def device_children(self) -> list[Child]:
        """A scriptor worker for each device of the device list beside the first (that one is
        the module workers' ``AUTOBANG_DEVICE``), so each device plays at once; ``remote``
        devices are served by a worker on their own machine."""
        try:
            devices = load_devices(self.settings)
        except DeviceListError as exc:
            say(f"{exc}; driving only AUTOBANG_DEVICE")
            return []
        py = sys.executable
        out = []
        for d in devices.devices[1:]:
            if d.kind == "remote":
                say(f"device {d.name}: served by a worker on its machine (autobang worker scriptor "
                    f"--redis URL --device ADB_URL --device-name {d.name})")  # fmt: skip
                continue
            # Simulated or not, the device layer tells from the device (ro.product.model).
            env = {
                "AUTOBANG_DEVICE": d.target,
                "AUTOBANG_DEVICE_NAME": d.name,
                "AUTOBANG_DEVICE_SIMULATED": "0",
            }
            argv = [py, "-m", "services.cli", "worker", "scriptor"]
            out.append(Child(f"worker:scriptor@{d.name}", argv, env))
        return out

    def simulator_child(self) -> Child | None:
        """With ``AUTOBANG_DEVICE=sim[:scenario.json]``: the simulated game on a free port,
        and the workers pointed at it as at any ADB server (marked simulated)."""
        try:
            spec = parse_spec(self.settings.device)
        except ValueError:
            return None  # the device layer reports a bad AUTOBANG_DEVICE where users see it
        if spec.kind != "sim":
            return None
        self.sim_port = free_port()
        argv = [sys.executable, "-m", "services.cli", "simulator", "--port", str(self.sim_port)]
        if spec.scenario is not None:
            argv += ["--scenario", str(spec.scenario)]
        self.device_env = {
            "AUTOBANG_DEVICE": f"adb://127.0.0.1:{self.sim_port}",
            "AUTOBANG_DEVICE_SIMULATED": "1",
        }
        return Child("simulator", argv)

    def wait_simulator(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.sim_port), 0.5):
                say(f"simulated game: ADB server on 127.0.0.1:{self.sim_port} (AUTOBANG_DEVICE=sim)")
                return
            time.sleep(0.1)
        say(f"the simulator does not answer on 127.0.0.1:{self.sim_port}; see its log above")

    def start_all(self) -> None:
        sim = self.simulator_child()
        if sim is not None:
            # First, so the workers find their device when they start.
            self.spawn(sim)
            self.wait_simulator()
        self.children = ([sim] if sim else []) + self.plan() + self.device_children()
        for child in self.children:
            if child.proc is None:
                self.spawn(child)

    def wait_ready(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        url = f"{self.url}healthz"
        while time.monotonic() < deadline and not self.stopping:
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(url, timeout=1.0).json()
                if health.get("ok") and all(health.get("workers", {}).values()):
                    return True
            self.supervise()
            time.sleep(0.1)
        return False

    def supervise(self) -> None:
        """Restart a child that died on its own (a crashed worker must not leave its module
        dead), with a backoff that starts over once the child ran healthily for a while;
        restart Redis; reap and end orphans re-parented to the launcher."""
        now = time.monotonic()
        for child in self.children:
            if self.stopping or child.proc is None:
                continue
            if child.proc.poll() is None:
                if child.restarts and now - child.started_at >= self.settings.restart_healthy_s:
                    child.restarts = 0
                continue
            delay = restart_delay(child.restarts, self.settings.restart_delay_s)
            if not child.died_at:
                child.died_at = now
                say(f"{child.name} exited with {child.proc.returncode}; restarting in {delay:g} s")
            if now - child.died_at >= delay:
                child.restarts += 1
                child.died_at = 0.0
                self.spawn(child)
                self.write_info()
        self.supervise_redis()
        self.reap_orphans(now)

    def reap_orphans(self, now: float) -> None:
        """Processes re-parented to the launcher (it is a subreaper) are never ours to keep:
        reap the dead ones (no zombies) and kill one still alive after ORPHAN_GRACE_S (a
        work-horse of a dead worker ends itself within a lease renewal)."""
        ours = {c.proc.pid for c in self.children if c.proc} | (
            {self.redis_proc.pid} if self.redis_proc else set()
        )
        alive = set()
        for pid, state in direct_children(os.getpid()):
            if pid in ours:
                continue
            if state == "Z":
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
                self.orphans.pop(pid, None)
                continue
            alive.add(pid)
            first = self.orphans.setdefault(pid, now)
            if now - first >= ORPHAN_GRACE_S:
                say(f"ending orphaned process {pid}")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for pid in set(self.orphans) - alive:
            del self.orphans[pid]

    def write_info(self) -> None:
        info = {
            "url": self.url,
            "redis_url": self.redis_url,
            "pid": os.getpid(),
            "children": {c.name: c.proc.pid for c in self.children if c.proc},
            "device": self.device_env.get("AUTOBANG_DEVICE", self.settings.device),
        }
        # 0600: the Redis URL carries the password.
        write_atomic(self.data_dir / "run" / "launcher.json", json.dumps(info, indent=2).encode(), 0o600)

    # -- shutdown ----------------------------------------------------------------------
    def stop_tasks(self) -> None:
        """Ask running tasks to stop and give them the grace period to do it cleanly."""
        with contextlib.suppress(Exception):
            r = connect(self.redis_url, ride_out_s=2.0)
            active = [m for m in MODULE_NAMES if is_active(read_state(r, m))]
            for m in active:
                stop_module(r, m)
            deadline = time.monotonic() + self.settings.stop_grace_s
            while active and time.monotonic() < deadline:
                active = [m for m in active if is_active(read_state(r, m))]
                time.sleep(0.05)

    @staticmethod
    def _signal(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)

    def _wait(self, procs: list[subprocess.Popen[bytes]], timeout: float) -> list[subprocess.Popen[bytes]]:
        deadline = time.monotonic() + timeout
        left = [p for p in procs if p.poll() is None]
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = [p for p in left if p.poll() is None]
        return left

    def shutdown(self) -> None:
        say("stopping")
        self.stopping = True
        if self.redis_url:
            self.stop_tasks()
        workers = [c.proc for c in self.children if c.proc and c.name.startswith("worker:")]
        for p in workers:
            self._signal(p, signal.SIGTERM)  # warm: the worker stops its task, waits for it
        # RQ ignores a second signal within 1 s; after that it is the cold shutdown.
        left = self._wait(workers, self.settings.stop_grace_s + 1.5)
        for p in left:
            self._signal(p, signal.SIGTERM)  # cold: RQ kills the work-horse
        for p in self._wait(left, 5.0):
            self._kill_tree(p.pid)
        gateway = [c.proc for c in self.children if c.proc and c.name == "gateway"]
        for p in gateway:
            self._signal(p, signal.SIGTERM)
        for p in self._wait(gateway, 5.0):
            self._kill_tree(p.pid)
        sims = [c.proc for c in self.children if c.proc and c.name == "simulator"]
        for p in sims:
            self._signal(p, signal.SIGTERM)  # writes its report and closes its ports
        for p in self._wait(sims, 5.0):
            self._kill_tree(p.pid)
        if self.redis_proc is not None:
            self._signal(self.redis_proc, signal.SIGTERM)  # saves/flushes the AOF
            for p in self._wait([self.redis_proc], 10.0):
                p.kill()
        for pid in children_of(os.getpid()):  # orphaned work-horses re-parented to us
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for p in [c.proc for c in self.children if c.proc] + ([self.redis_proc] if self.redis_proc else []):
            with contextlib.suppress(Exception):
                p.wait(1.0)
        say("stopped")

    @staticmethod
    def _kill_tree(pid: int) -> None:
        for kid in [*children_of(pid), pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(kid, signal.SIGKILL)

    def run(self) -> int:
        def on_signal(signum: int, frame: FrameType | None) -> None:
            self.stopping = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        become_subreaper()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)  # charts, screenshots, the token, Redis's files: this user's
        busy = port_in_use(self.host, self.port)
        if busy:
            say(f"cannot listen on {self.host}:{self.port}: {busy} (pick another with --port)")
            return 2
        try:
            self.start_redis()
            self.start_all()
            self.write_info()
            if self.wait_ready():
                say(f"dashboard: {self.url}")
            elif not self.stopping:
                say(f"not every service is healthy yet; dashboard: {self.url} (see /healthz)")
            while not self.stopping:
                self.supervise()
                time.sleep(0.2)
        finally:
            # Ignore further Ctrl-C while cleaning up: a second one must not leave orphans.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            self.shutdown()
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / "run" / "launcher.json").unlink()
        return 0
