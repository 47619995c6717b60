"""Human reports over recordings and the history (offline; zero-phase filters allowed here).

- ``report``, ``report_files``, ``plots``: ``crampdetect report`` (text, HTML, PDF, PNG);
- ``summary``, ``night_plot``, ``session_view``: the morning summary and trends;
- ``activity``: offline activity classes of a session (rest, walking, holds...);
- ``clock``: ``clock()``, the one format of times printed for people.
"""
