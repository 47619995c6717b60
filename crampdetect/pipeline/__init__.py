"""Drivers: everything that runs the detection chain over a stream.

- ``chain``: :class:`Pipeline`, one stream's filters -> features -> quality + detector.
- ``offline``: the offline runner (files and recordings -> the ``detect --json`` document).
- ``rescore``: replay of a recording (optionally paced) and bulk re-scoring.
- ``live``: :class:`~crampdetect.pipeline.live.LiveMonitor`, a Source through the chain to alerts.
- ``bulk``: :func:`~crampdetect.pipeline.bulk.map_recordings`, one function over many files.

Drivers import every stage package; no stage package imports them (``tests/test_imports.py``).
"""

from crampdetect.pipeline.chain import ChannelStatus, Output, Pipeline

__all__ = ["ChannelStatus", "Output", "Pipeline"]
