"""The touch injectors' protocol rules, as pure logic and over the sockets."""

from __future__ import annotations

import socket
import time

from services.simulator.touch_server import ContactBook, TouchEvent, TouchSpace, parse_sheet
from tests.simulator.conftest import Running


def test_rules_count_violations_and_do_not_apply_them() -> None:
    book = ContactBook(max_contacts=2)
    book.apply(TouchEvent("d", 0, 10, 10))
    book.apply(TouchEvent("m", 0, 20, 20))  # second command for contact 0 in this commit
    assert book.commit() == (TouchEvent("d", 0, 10, 10),)
    book.apply(TouchEvent("d", 0, 30, 30))  # already down
    book.apply(TouchEvent("m", 1, 5, 5))  # not down
    book.apply(TouchEvent("u", 1, 0, 0))  # not down
    book.apply(TouchEvent("d", 2, 0, 0))  # no such contact
    book.apply(TouchEvent("u", 0, 0, 0))
    assert book.commit() == (TouchEvent("u", 0, 10, 10),)  # the up carries the last position
    assert len(book.violations) == 5
    assert "already down" in book.violations[1] and "not down" in book.violations[2]


def test_leaving_with_a_contact_down_is_a_violation() -> None:
    book = ContactBook()
    book.apply(TouchEvent("d", 3, 1, 1))
    book.commit()
    assert book.finish() == (TouchEvent("u", 3, 1, 1),)
    assert book.violations == ["client left with contacts [3] down"]


def test_touch_space_scales_and_rotates() -> None:
    plain = TouchSpace(32767, 32767, 0)
    for space in (plain, TouchSpace(720, 1280, 90)):
        x, y = space.to_display(*space.from_display(1085, 590))
        assert abs(x - 1085) < 1 and abs(y - 590) < 1
    portrait = TouchSpace(720, 1280, 90)
    assert portrait.from_display(0, 0) == (720, 0)  # the display's top-left is the panel's top-right


def test_sheet_groups() -> None:
    text = "b 1000\nt 1000\nd 0 194 590\nc\nt 1020\nu 0\nc\n"
    assert parse_sheet(text) == [(0, [["d", "0", "194", "590"]]), (20, [["u", "0"]])]


def wait_for(cond: object, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if callable(cond) and cond():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


def test_minitouch_commits_reach_the_game_in_display_coordinates(sim: Running) -> None:
    space = sim.emu.touch.space
    port = sim.emu.touch.minitouch_port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        f = s.makefile("rb")
        header = [f.readline() for _ in range(3)]
        assert header[0] == b"v 1\n" and header[1] == f"^ 10 {space.max_x} {space.max_y} 255\n".encode()
        assert header[2].startswith(b"$ ")
        x, y = space.from_display(1120, 640)  # main_page's live button
        s.sendall(f"d 0 {x} {y} 50\nc\nu 0\nc\n".encode())
        wait_for(lambda: sim.call(lambda: sim.emu.game.state) == "playmode")
        s.sendall(b"u 0\nc\n")  # up on a lifted contact
        f.close()
    wait_for(lambda: sim.call(lambda: len(sim.emu.touch.violations)) == 1)
    assert "up on contact 0" in sim.emu.touch.violations[0]


def test_bangcheater_handshake_clock_and_disconnect_rule(sim: Running) -> None:
    port = sim.emu.touch.bangcheater_port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        f = s.makefile("rb")
        s.sendall(b"p\n")
        assert f.readline() == b"BANGCHEATERCONTROLLERREADY\n"
        s.sendall(b"t 0 0 1000000\n")
        reply = f.readline().split()
        assert reply[0] == b"t" and int(reply[1]) > 0
        s.sendall(b"d 1 300 300\nc\n")  # left down when the client goes
        f.close()
    wait_for(lambda: sim.call(lambda: len(sim.emu.touch.violations)) == 1)
    assert "left with contacts [1] down" in sim.emu.touch.violations[0]


def test_bangcheater_plays_a_pushed_sheet_on_the_device_clock(sim: Running) -> None:
    import io

    import adbutils

    d = adbutils.AdbClient("127.0.0.1", sim.port).device()
    # Two taps 100 ms apart on main_page's live button and then play-mode's Free button.
    sheet = "b 0\nt 0\nd 0 1120 640\nt 20000\nu 0\nt 100000\nd 0 800 480\nt 120000\nu 0\n"
    d.sync.push(io.BytesIO(sheet.encode()), "/data/local/tmp/commands.sheet")
    assert sim.emu.files["/data/local/tmp/commands.sheet"] == sheet.encode()
    port = d.forward_port(12345)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        f = s.makefile("rb")
        s.sendall(b"p\nf\n")
        assert f.readline() == b"BANGCHEATERCONTROLLERREADY\n" and f.readline() == b"f 4\n"
        host_us = round(time.monotonic() * 1e6)
        s.sendall(f"t {host_us} 0 1000000\ns {host_us + 50_000}\n".encode())
        assert f.readline().startswith(b"t ")
        assert f.readline() == b"s done\n"
        f.close()
    wait_for(lambda: sim.call(lambda: sim.emu.game.view(sim.emu.clock()).state) == "loading")
    assert sim.emu.touch.violations == []
