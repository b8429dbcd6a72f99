"""The one exception type the toolkit raises for bad input.

Library code raises :class:`ToolkitError`; only the CLI turns it into a
message and an exit status. The message always names the file, and the line
and record when they are known.
"""

from __future__ import annotations

from pathlib import Path

from .display import quote_id


class ToolkitError(Exception):
    """Input the toolkit cannot use: a missing file, bad JSON, an unsegmentable essay.

    ``code`` is the catalog code (``toolkit.codes``) when the input breaks a
    rule that ``toolkit validate`` also checks.

    >>> str(ToolkitError("not an object", file="a.jsonl", line=3))
    'a.jsonl:3: not an object'
    >>> str(ToolkitError("start 9 >= end 4", file="dates.jsonl", line=7, record="d-0002", code="E105"))
    'dates.jsonl:7 (record d-0002): E105 start 9 >= end 4'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        record: str | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.file = str(file) if file is not None else None
        self.line = line
        self.record = record
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        if self.record is not None:
            where += f" (record {quote_id(self.record)})"
        message = f"{self.code} {self.message}" if self.code else self.message
        return f"{where}: {message}" if where else message

