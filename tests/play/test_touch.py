"""The multitouch clients against the fake injector on loopback."""

from __future__ import annotations

import socket
import threading

import pytest

from services.testing.fake_touch import FakeTouchServer
from shared.device.touch import (
    BangcheaterChannel,
    HeaderError,
    MinitouchChannel,
    ProtocolError,
    TouchError,
    TouchSpace,
    open_touch,
    parse_header,
    parse_touch_url,
)


def test_header_minitouch_and_maatouch() -> None:
    h = parse_header(["v 1", "^ 10 32767 32767 255", "$ 1234"])
    assert (h.version, h.max_contacts, h.max_x, h.max_y, h.max_pressure, h.pid) == (
        1,
        10,
        32767,
        32767,
        255,
        1234,
    )
    m = parse_header(["^ 2 720 1280 0", "$ 99"])  # MaaTouch: no version line
    assert m.version is None and m.max_contacts == 2 and m.max_y == 1280


@pytest.mark.parametrize(
    "lines, words",
    [
        (["hello"], "unexpected header line"),
        (["v 1", "$ 3"], "no '\\^ max-contacts"),
        (["^ 10 x 100 0", "$ 1"], "not a whole number"),
        (["^ 0 100 100 0", "$ 1"], "not usable"),
    ],
)
def test_bad_headers(lines: list[str], words: str) -> None:
    with pytest.raises(HeaderError, match=words):
        parse_header(lines)


def test_rotations_map_the_corners() -> None:
    # Landscape top-left and bottom-right corners, on a portrait panel 1000 x 2000.
    assert TouchSpace(2000, 1000, 0).map(0, 0) == (0, 0)
    assert TouchSpace(2000, 1000, 0).map(1280, 720) == (2000, 1000)
    assert TouchSpace(1000, 2000, 90).map(0, 0) == (1000, 0)  # frame's left edge = panel's top
    assert TouchSpace(1000, 2000, 90).map(1280, 720) == (0, 2000)
    assert TouchSpace(2000, 1000, 180).map(0, 0) == (2000, 1000)
    assert TouchSpace(1000, 2000, 270).map(0, 0) == (0, 2000)
    assert TouchSpace(1000, 2000, 270).map(640, 360) == (500, 1000)
    with pytest.raises(ValueError, match="rotation"):
        TouchSpace(10, 10, 45)


def test_url_parsing() -> None:
    assert parse_touch_url("minitouch://127.0.0.1:1111") == ("minitouch", "127.0.0.1", 1111, 0)
    assert parse_touch_url("bangcheater://h:2?rotation=270") == ("bangcheater", "h", 2, 270)
    for bad in ("adb://x:1", "minitouch://x", "minitouch://x:notaport", "minitouch://x:1?rotation=45"):
        with pytest.raises(TouchError):
            parse_touch_url(bad)


def test_minitouch_scales_rotates_and_lifts_on_close() -> None:
    with FakeTouchServer(max_x=32767, max_y=32767, max_contacts=4) as server:
        ch = open_touch(server.url, rotation=90)
        assert isinstance(ch, MinitouchChannel) and ch.max_contacts == 4
        ch.down(0, 640, 360)
        ch.down(1, 0, 0)
        ch.commit()
        ch.move(0, 1280, 360)
        ch.commit()
        ch.close()  # contacts 0 and 1 are still down: close lifts them
        s = server.wait_closed()
    assert s.violations == []
    assert s.commits[0].ops == [("d", 0, 16384, 16384), ("d", 1, 32767, 0)]
    assert s.commits[1].ops == [("m", 0, 16384, 32767)]
    assert sorted(op[1] for op in s.commits[-1].ops) == [0, 1] and all(
        op[0] == "u" for op in s.commits[-1].ops
    )


def test_client_refuses_protocol_violations() -> None:
    with FakeTouchServer() as server:
        ch = open_touch(server.url)
        ch.down(0, 100, 100)
        with pytest.raises(ProtocolError, match="second command"):
            ch.up(0)  # same commit as its down
        ch.commit()
        with pytest.raises(ProtocolError, match="already down"):
            ch.down(0, 1, 1)
        with pytest.raises(ProtocolError, match="not down"):
            ch.move(3, 1, 1)
        with pytest.raises(ProtocolError, match="outside"):
            ch.down(10, 1, 1)
        ch.reset()
        ch.close()
        s = server.wait_closed()
    assert s.violations == [] and s.left_down == []


def test_unreachable_and_bad_header_are_one_line_errors() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with pytest.raises(TouchError, match=r"no touch injector at minitouch://127\.0\.0\.1"):
        open_touch(f"minitouch://127.0.0.1:{port}")
    with (
        FakeTouchServer(header=b"HTTP/1.1 400 Bad Request\r\n\r\n") as server,
        pytest.raises(TouchError, match="bad header") as err,
    ):
        open_touch(server.url)
    assert "\n" not in str(err.value)


def test_lost_connection_raises_touch_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def serve_then_drop() -> None:
        conn, _ = listener.accept()
        conn.sendall(b"^ 10 1279 719 0\n$ 1\n")
        conn.close()

    t = threading.Thread(target=serve_then_drop)
    t.start()
    ch = open_touch(f"minitouch://127.0.0.1:{port}")
    t.join()
    with pytest.raises(TouchError, match="lost the touch injector"):
        for _ in range(200):  # the first writes may still land in the socket buffer
            ch.down(0, 1, 1)
            ch.commit()
            ch.up(0)
            ch.commit()
    ch.close()
    listener.close()


def test_bangcheater_handshake_commands_and_calibration() -> None:
    with FakeTouchServer("bangcheater", calibration_reply_us=-1234) as server:
        ch = open_touch(server.url)
        assert isinstance(ch, BangcheaterChannel)
        ch.down(2, 194.4, 590)
        ch.commit()
        ch.up(2)
        ch.commit()
        assert ch.reload() == 0
        assert ch.sync(-45000, 1000000) > 0
        assert ch.calibrate(123) == -1234
        assert ch.play(456, timeout_s=5) == "s done"
        ch.close()
        s = server.wait_closed()
    assert s.violations == []
    assert [c.ops for c in s.commits[:2]] == [[("d", 2, 194, 590)], [("u", 2, 0, 0)]]
    kinds = [line.split()[0] for line in s.other]
    assert kinds[:4] == ["f", "t", "C", "s"] and "r" in kinds and kinds[-1] == "e"
    assert s.other[1].split()[2:] == ["-45000", "1000000"]


def test_not_bangcheater() -> None:
    # A minitouch server writes its header and never answers 'p' with the ready line.
    with FakeTouchServer("minitouch") as server, pytest.raises(TouchError, match="not bangcheater"):
        open_touch(server.url.replace("minitouch", "bangcheater"))
