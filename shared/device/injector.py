"""Nothing to install by hand: put a multitouch server on the device and start it.

On first use of multitouch the device layer looks for an injector in this order:

1. bangcheater already running (``tcp:AUTOBANG_BANGCHEATER_PORT``): the first version's
   own injector, for a user who has it;
2. minitouch or MaaTouch already running (``localabstract:minitouch``);
3. minitouch pushed and started by the product: the build for the device's ABI
   (``ro.product.cpu.abilist``) from ``injectors/`` (airtest's bundled builds, see
   ``injectors/NOTICE.md``) to ``/data/local/tmp/autobang-minitouch``, started on its own
   abstract socket over a shell connection the device keeps open (closing the device
   ends it), and checked by reading its header.

When none answers, the error names each try and why it failed (pure parts here; the ADB
side is ``AdbDevice``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

INJECTORS = Path(__file__).resolve().parent / "injectors"
DEVICE_PATH = "/data/local/tmp/autobang-minitouch"
SOCKET_NAME = "autobang_minitouch"
START_WAIT_S = 5.0  # from the start to a header on the socket (a loaded emulator is slow)
ABI_COMMAND = "getprop ro.product.cpu.abilist; getprop ro.product.cpu.abi; getprop ro.build.version.sdk"
ORDER = ("bangcheater", "minitouch", "minitouch (pushed)")
ADVICE = (
    "turn on root / ADB debugging in the emulator's settings, or start an injector yourself "
    "(minitouch, MaaTouch or bangcheater) and set AUTOBANG_TOUCH"
)


@dataclass(frozen=True)
class DeviceAbi:
    abis: tuple[str, ...]  # the device's ABIs, preferred first
    sdk: int | None

    def __str__(self) -> str:
        sdk = f"SDK {self.sdk}" if self.sdk is not None else "SDK unknown"
        return f"{'/'.join(self.abis) or 'ABI unknown'}, {sdk}"


def parse_abi(text: str) -> DeviceAbi:
    """The answer to ``ABI_COMMAND``: the ABI list line, the primary ABI line, the SDK."""
    lines = [line.strip() for line in text.splitlines()]
    abis: list[str] = []
    sdk: int | None = None
    for line in lines:
        if line.isdigit():
            sdk = int(line)
        elif line:
            abis.extend(a for a in line.split(",") if a and a not in abis)
    return DeviceAbi(tuple(abis), sdk)


def available() -> tuple[str, ...]:
    return tuple(sorted(p.parent.name for p in INJECTORS.glob("*/minitouch")))


def binary_for(abi: DeviceAbi) -> Path:
    """The shipped minitouch for the first of the device's ABIs we have a build for;
    ``LookupError`` saying which ABIs were wanted and which are shipped."""
    for name in abi.abis:
        path = INJECTORS / name / "minitouch"
        if path.is_file():
            return path
    raise LookupError(f"no minitouch build for {abi} (shipped: {', '.join(available())})")


def start_command(name: str = SOCKET_NAME) -> str:
    """The shell line that runs the pushed minitouch on abstract socket ``name`` (it writes
    its notes and errors to the same stream)."""
    return f"{DEVICE_PATH} -n {name} 2>&1"
