"""Feature frames from filtered samples, one frame per hop (50 ms).

- ``hop``: ``HopFeatures`` -> ``FeatureFrames`` (RMS, TKEO, median frequency, raw extremes);
- ``context``, ``windows``: trailing-window statistics of the envelope for the detector.
"""
