"""Error types for bad input data.

Every error about input data names the file, the column and the row so that a
planner can find the problem in a spreadsheet, and says what is wrong in plain
words.
"""

from __future__ import annotations


class InputDataError(ValueError):
    """A problem with input data, located by file, column and row.

    Parameters
    ----------
    message
        What is wrong, in words a planner understands.
    file
        The file the data came from (or a description such as ``"<DataFrame>"``).
    column
        The column concerned, if any.
    row
        The 1-based data row (header not counted), if any.
    hint
        How to fix it, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.column = column
        self.row = row
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file '{self.file}'")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        text = self.message
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class MethodError(ValueError):
    """A method choice that cannot be applied to the data (e.g. zero variance)."""
