"""The one exception type the toolkit raises for bad input.

Library code raises :class:`ToolkitError`; only the CLI turns it into a
message and an exit status. The message always names the file, and the line
and record when they are known.
"""

from __future__ import annotations

from pathlib import Path


class ToolkitError(Exception):
    """Input the toolkit cannot use: a missing file, bad JSON, an unsegmentable essay.

    >>> str(ToolkitError("not an object", file="a.jsonl", line=3))
    'a.jsonl:3: not an object'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        record: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.record = record
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        if self.record is not None:
            where += f" (record {self.record})"
        return f"{where}: {self.message}" if where else self.message
