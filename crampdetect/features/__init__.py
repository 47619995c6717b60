"""Feature frames from filtered samples, one frame per hop (50 ms).

- ``hop``: ``HopFeatures`` -> ``FeatureFrames`` (RMS, TKEO, raw extremes); the median frequency
  where asked (``HopFeatures.median_frequency``);
- ``flags``: ``FrameFlags``, per-frame flags over the recent frames with a part computed only
  where read (the motion-artefact spectrum);
- ``context``, ``windows``: trailing-window statistics of the envelope for the detector.
"""
