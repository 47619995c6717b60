"""Side effects of events: prompts to the wearer and the night journal.

- ``policy``: ``AlertPolicy``, what to do about events (prompt, repeat, recurrence watch);
- ``haptic``: ``HapticSink`` (the board's motor) and the simple policies;
- ``patterns``: vibration patterns and per-profile alert settings;
- ``journal``: ``JournalingPolicy`` (policy + night history) and ``import_detection``.
"""
