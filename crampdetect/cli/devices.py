"""List serial ports that look like boards and BLE boards advertising the crampdetect service."""

from __future__ import annotations

import argparse
import json
import logging

logger = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scan", type=float, default=3.0, metavar="S", help="BLE scan time (default 3 s)"
    )
    p.add_argument("--no-ble", action="store_true", help="serial ports only, no BLE scan")
    p.add_argument(
        "--all",
        action="store_true",
        help="list every serial port, not only USB ones (built-in UARTs such as /dev/ttyS0 are "
        "never a board's link)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout (the serial ports listed, each with its usb_id "
        "and board, and how many were left out)",
    )


def ble_boards(scan_s: float) -> tuple[list[tuple[str, str, int]], str]:
    """(boards found, '' or why BLE could not be used). Never raises."""
    import asyncio

    from crampdetect.ingest.ble import explain, scan_boards

    try:
        return asyncio.run(scan_boards(scan_s)), ""
    except Exception as exc:  # no adapter, no D-Bus, no permission: all platform-specific
        logger.debug("BLE scan failed", exc_info=True)
        return [], f"BLE scan failed: {explain(exc)}"


def run(args: argparse.Namespace) -> int:
    from crampdetect.ingest.serial import list_ports
    from crampdetect.text import plural

    ports = list_ports()
    shown = ports if args.all else [p for p in ports if p.board or p.usb_id]
    boards, ble_problem = ([], "BLE scan skipped") if args.no_ble else ble_boards(args.scan)
    if args.json:  # the same ports as the listing: USB ones unless --all
        doc = {
            "serial": [
                {
                    "url": f"serial://{p.device}",
                    "description": p.description,
                    "usb_id": p.usb_id,
                    "board": p.board,
                }
                for p in shown
            ],
            "serial_left_out": len(ports) - len(shown),
            "ble": [{"url": f"ble://{a}", "name": n, "rssi_dbm": r} for a, n, r in boards],
            "ble_error": ble_problem or None,
        }
        print(json.dumps(doc))
        return 0
    print("Serial ports:")
    if not shown:
        print(
            "  none"
            if args.all
            else "  no board found (no port on USB): plug it in, then run this again"
        )
    for p in shown:
        mark = f"  <- likely {p.board}" if p.board else ""
        usb = f" [{p.usb_id}]" if p.usb_id else ""
        print(f"  serial://{p.device}  {p.description}{usb}{mark}")
    if len(shown) < len(ports):
        hidden = plural(len(ports) - len(shown), "other port")
        print(f"  ({hidden}, not on USB, left out: --all lists every port)")
    print("BLE boards:")
    if ble_problem:
        print(f"  {ble_problem}")
    elif not boards:
        print("  none advertising the crampdetect service")
    for address, name, rssi in boards:
        print(f"  ble://{address}  {name}  {rssi} dBm")
    return 0
