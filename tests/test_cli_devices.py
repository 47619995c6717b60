"""`crampdetect devices`: serial ports with likely boards marked, BLE absence reported plainly."""

from __future__ import annotations

import json
import subprocess
import sys

from serial.tools.list_ports_common import ListPortInfo

from crampdetect.ingest import serial as serial_transport


def test_devices_runs_without_bluetooth_and_says_so():
    res = subprocess.run(
        [sys.executable, "-m", "crampdetect", "devices", "--scan", "0.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert "Serial ports:" in res.stdout and "BLE boards:" in res.stdout
    assert "Traceback" not in res.stderr


def test_devices_json_lists_the_usb_ports_as_urls_and_every_port_with_all():
    from serial.tools.list_ports import comports

    every = sorted(f"serial://{p.device}" for p in comports())
    usb = sorted(f"serial://{p.device}" for p in comports() if None not in (p.vid, p.pid))
    for extra, expected in (((), usb), (("--all",), every)):
        res = subprocess.run(
            [sys.executable, "-m", "crampdetect", "devices", "--json", "--no-ble", *extra],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        doc = json.loads(res.stdout)
        assert sorted(p["url"] for p in doc["serial"]) == expected
        assert doc["serial_left_out"] == len(every) - len(expected)
        assert doc["ble"] == []


def _port(device: str, vid: int | None, pid: int | None) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.description = vid, pid, "USB serial"
    return info


def test_known_usb_ids_are_marked_and_found_first(monkeypatch):
    ports = [
        _port("/dev/ttyS0", None, None),
        _port("/dev/ttyUSB3", 0x1A86, 0x7523),
        _port("/dev/ttyACM0", 0x2341, 0x0043),
        _port("/dev/ttyUSB9", 0x1234, 0x5678),
    ]
    monkeypatch.setattr("serial.tools.list_ports.comports", lambda: ports)
    listed = serial_transport.list_ports()
    assert [(p.device, p.board) for p in listed[:2]] == [
        ("/dev/ttyACM0", "Arduino Uno"),
        ("/dev/ttyUSB3", "CH340 USB-UART"),
    ]
    assert {p.board for p in listed[2:]} == {""}
    assert serial_transport.find_board() == "/dev/ttyACM0"


def test_auto_without_a_board_is_a_clear_input_error(monkeypatch):
    import pytest

    from crampdetect.core import InputError
    from crampdetect.ingest.sources import open_source

    monkeypatch.setattr(
        "serial.tools.list_ports.comports", lambda: [_port("/dev/ttyS0", None, None)]
    )
    with pytest.raises(InputError, match="no board found on USB serial"):
        open_source("serial://auto")
