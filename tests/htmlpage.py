"""The HTML report read back with the standard library's parser (no browser needed for text)."""

from __future__ import annotations

from html.parser import HTMLParser


class ReportPage(HTMLParser):
    """An HTML page's ``<pre>`` text (``pre``, the pieces in order) and the rows of its tables
    that have an ``id`` (``tables``: {table id: [[cell text, ...], ...]}); feed it the page."""

    def __init__(self) -> None:
        super().__init__()
        self.pre: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._in_pre = False
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self._in_pre = True
        elif tag == "table":
            self._table = dict(attrs).get("id")
            if self._table:
                self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_pre = False
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._in_pre:
            self.pre.append(data)
        if self._cell is not None:
            self._cell.append(data)
