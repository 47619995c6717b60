"""Bytes -> frames -> sample blocks, from boards and from files replayed as boards.

- ``link``: the ``Source`` protocol every source meets, and ``LinkStats``;
- ``sources``: ``open_source(url)`` and ``BoardSource`` (a transport's bytes -> blocks);
- ``transport``, ``serial``, ``ble``, ``sim``, ``ptyboard``: byte transports (one each);
- ``frames``: the wire format (COBS + CRC), ``FrameDecoder``, ``encode_frame``;
- ``blocks``, ``window``, ``clock``: frames -> blocks, sequence gaps, device-to-host time;
- ``commands``: commands to the board, acknowledged and resent;
- ``replay``: ``file://`` sources (recordings, wire captures) and the replay ``Pacer``;
- ``inference``: the representation (raw/env, units, ADC bits) of unlabelled samples.

Imports only ``core`` and, for files, ``storage``; never the drivers, reports or CLI.
"""
