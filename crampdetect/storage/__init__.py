"""Recordings on disk: crash-safe sessions, standard formats, and one way to open them all.

- :mod:`.session` -- ``SessionWriter``, the crash-safe recorder (``record``, ``monitor``);
- :mod:`.session_reader` -- opens a session, tolerating what a crash leaves;
- :mod:`.recording` -- ``Recording``/``Segment``, what every reader returns;
- :mod:`.reader` -- ``open_recording(path)``: sessions, EDF/BDF, WAV, CSV, shipped recordings;
- :mod:`.formats`, :mod:`.edf` -- CSV/WAV/MNE and EDF+/BDF+ export and import;
- :mod:`.recover` -- the readable rows of a damaged CSV;
- :mod:`.csvfile` -- the ``time_s,<channels>`` CSV reader behind ``detect``;
- :mod:`.history` -- the local SQLite night history.

Nothing is imported here, so ``import crampdetect`` stays light.
"""
