"""Feature frames from filtered samples, one frame per hop (50 ms).

- ``hop``: ``HopFeatures`` -> ``FeatureFrames`` (RMS, MAV, TKEO, MNF/MDF, raw extremes);
- ``context``, ``windows``: trailing-window statistics of the envelope for the detector.
"""
