"""Causal numeric filters over sample blocks (state carried between blocks).

- ``sos``: ``SosFilter`` (second-order sections with carried ``zi``), ``bandpass_sos``;
- ``mains``: ``MainsSuppressor``, mains detection and notching, ``share_at`` for quality.
"""
