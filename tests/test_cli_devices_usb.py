"""``crampdetect devices``: USB ports by default, "no board found" plainly, ``--all`` for all."""

from __future__ import annotations

import json

from serial.tools.list_ports_common import ListPortInfo

from crampdetect.cli import main


def _port(device: str, vid: int | None, pid: int | None) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.description = vid, pid, "n/a" if vid is None else "USB serial"
    return info


def _devices(monkeypatch, capsys, ports: list[ListPortInfo], *extra: str) -> str:
    monkeypatch.setattr("serial.tools.list_ports.comports", lambda: ports)
    assert main(["devices", "--no-ble", *extra]) == 0
    return capsys.readouterr().out


def test_a_builtin_uart_alone_is_no_board(monkeypatch, capsys) -> None:
    out = _devices(monkeypatch, capsys, [_port("/dev/ttyS0", None, None)])
    assert "serial:///dev/ttyS0" not in out
    assert "no board found" in out and "1 other port" in out and "--all" in out
    out = _devices(monkeypatch, capsys, [_port("/dev/ttyS0", None, None)], "--all")
    assert "serial:///dev/ttyS0  n/a" in out and "no board found" not in out


def test_usb_ports_are_listed_known_boards_marked(monkeypatch, capsys) -> None:
    ports = [
        _port("/dev/ttyS0", None, None),
        _port("/dev/ttyS1", None, None),
        _port("/dev/ttyUSB9", 0x1234, 0x5678),  # an unknown USB-UART: may be a board
        _port("/dev/ttyACM0", 0x2341, 0x0043),
    ]
    out = _devices(monkeypatch, capsys, ports)
    lines = [ln.strip() for ln in out.splitlines() if ln.strip().startswith("serial://")]
    assert lines[0].startswith("serial:///dev/ttyACM0") and "likely Arduino Uno" in lines[0]
    assert lines[1].startswith("serial:///dev/ttyUSB9") and len(lines) == 2
    assert "2 other ports" in out and "no board found" not in out


def test_devices_json_lists_the_ports_the_listing_shows(monkeypatch, capsys) -> None:
    ports = [
        _port("/dev/ttyS0", None, None),
        _port("/dev/ttyS1", None, None),
        _port("/dev/ttyUSB9", 0x1234, 0x5678),
        _port("/dev/ttyACM0", 0x2341, 0x0043),
    ]
    doc = json.loads(_devices(monkeypatch, capsys, ports, "--json"))
    assert [p["url"] for p in doc["serial"]] == ["serial:///dev/ttyACM0", "serial:///dev/ttyUSB9"]
    assert doc["serial"][0]["board"] == "Arduino Uno" and doc["serial_left_out"] == 2
    doc = json.loads(_devices(monkeypatch, capsys, ports, "--json", "--all"))
    assert sorted(p["url"] for p in doc["serial"]) == sorted(f"serial://{p.device}" for p in ports)
    assert doc["serial_left_out"] == 0
    doc = json.loads(_devices(monkeypatch, capsys, ports[:2], "--json"))
    assert doc["serial"] == [] and doc["serial_left_out"] == 2
