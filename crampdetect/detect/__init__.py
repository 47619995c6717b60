"""From feature frames to events and quality flags: the streaming decisions.

- ``cramp``: ``CrampDetector`` (rules, optional learned gate) -> ``FrameEvent``;
- ``early_warning``: ``EarlyWarning``, a raised resting floor before a cramp (night);
- ``baseline``: ``BaselineTracker``, resting level and activity reference per channel;
- ``quality``: ``QualityMonitor``, lead-off, saturation, mains, pops, wander;
- ``intervals``, ``onset``: masks -> intervals; where a cramp began;
- ``settings``: ``DetectorSettings`` per profile and signal;
- ``model``: loading and running a trained gate (training is in ``crampdetect.evaluate``).
"""
