"""Every URL opens a :class:`~crampdetect.ingest.link.Source`: boards and recordings alike."""

from __future__ import annotations

import numpy as np

from crampdetect.ingest.link import Source
from crampdetect.ingest.sources import BoardSource, open_source


def test_board_and_recording_sources_meet_the_protocol(tmp_path):
    path = tmp_path / "rest.csv"
    t = np.arange(2000) / 1000.0
    rows = np.column_stack([t, 20 * np.sin(2 * np.pi * 80 * t)])
    np.savetxt(path, rows, delimiter=",", header="time_s,calf", comments="", fmt="%.6f")
    board = open_source("sim://night-short?speed=0")
    recording = open_source(f"file://{path}")
    assert isinstance(board, BoardSource) and isinstance(board, Source)
    assert isinstance(recording, Source) and not isinstance(recording, BoardSource)
    assert board.accepts_commands and not recording.accepts_commands
    with recording:
        blocks = []
        while not recording.ended:
            blocks += recording.read(0.1)
    assert sum(b.n_samples for b in blocks) == 2000
    assert recording.send("vibrate") is False  # nothing to vibrate: dropped, not raised
    assert recording.stats.frames == len(blocks)


def test_every_source_class_has_every_protocol_member():
    """Checked on the classes, so a source that lacks a member fails here, not in the middle of
    a monitoring night."""
    import inspect

    from crampdetect.ingest.replay import RecordingSource
    from crampdetect.lsl import LslSource

    members = set(Source.__annotations__) | {
        n
        for n, v in vars(Source).items()
        if not n.startswith("_") and (callable(v) or isinstance(v, property))
    }
    assert {"read", "send", "info", "stats", "take_button_presses", "ended"} <= members
    for cls in (BoardSource, RecordingSource, LslSource):
        code = inspect.getsource(cls)
        missing = sorted(m for m in members if not hasattr(cls, m) and f"self.{m} =" not in code)
        assert missing == [], f"{cls.__name__} lacks {missing}"
