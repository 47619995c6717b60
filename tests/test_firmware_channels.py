"""The sketches' defaults send one sensor per channel, all channels the same output.

The status frame has one ``signal`` code for every channel, and the host reads channel 1 as the
second leg: a sketch that sent one MyoWare's RAW and ENV as two channels made the host read the
ENV line as a raw right calf (a false cramp, a late alert on the real leg). The ESP32 sketch
cannot be compiled here, so its defines are read as text; the Uno's are also built and run in
simavr by ``test_firmware_sim.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "firmware_bridge"
ESP32 = ROOT / "esp32/crampdetect_esp32/crampdetect_esp32.ino"
UNO = ROOT / "uno/crampdetect_uno/crampdetect_uno.ino"
SHIELD_ENV_PIN = "A3"  # the MyoWare Wireless Shield routes its ENV output there


def defines(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"#define\s+(\w+)\s+(\S+)", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


@pytest.mark.parametrize("sketch", [ESP32, UNO], ids=["esp32", "uno"])
def test_the_channel_mask_names_as_many_channels_as_are_read(sketch: Path) -> None:
    d = defines(sketch)
    mask, n = int(d["CHANNEL_MASK"], 0), int(d["N_CHANNELS"])
    assert bin(mask).count("1") == n and mask in (0x01, 0x03)


def test_esp32_default_never_sends_the_shields_env_line_as_a_channel() -> None:
    d = defines(ESP32)
    read = [d["PIN_CH0"]] + ([d["PIN_CH1"]] if int(d["N_CHANNELS"]) > 1 else [])
    assert SHIELD_ENV_PIN not in read
    assert d["PIN_CH1"] != SHIELD_ENV_PIN  # not even once the second calf is switched on
    assert int(d["SIGNAL_CODE"]) in (0, 1)


def test_the_wiring_docs_put_one_sensor_on_each_channel() -> None:
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "ENV → A3 on channel 1" not in text
    assert "CHANNEL_MASK 0x03" in text  # how to wire two calves
