"""Design-time formula problems and the error that carries them.

A problem names what is wrong (a catalogue code with its parameters) and where (the
``start``/``end`` offsets of the offending part of the text), so the designer can
underline it. Offsets count Unicode code points (a browser counts UTF-16 units: the two
differ only after a character outside the BMP, such as an emoji). :class:`FormulaError` is a :class:`~qiao.errors.ValidationFailed`: raised
through the API it becomes the usual 422 with one detail per problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qiao.errors import ErrorDetail, ValidationFailed
from qiao.i18n import translate


@dataclass(frozen=True)
class Problem:
    code: str
    start: int
    end: int
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str) -> str:
        return translate(self.code, locale, self.params)

    def as_json(self, locale: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message(locale),
            "start": self.start,
            "end": self.end,
            "params": self.params,
        }


def problem(code: str, start: int, end: int, **params: Any) -> Problem:
    """A problem; ``params`` fill the code's message."""
    return Problem(code, start, end, params)


class FormulaError(ValidationFailed):
    """The formula cannot be used: one or more problems, in source order."""

    code = "formula_invalid"

    def __init__(self, problems: list[Problem], *, field_name: str = "formula") -> None:
        ordered = sorted(problems, key=lambda p: (p.start, p.end))
        details = [
            ErrorDetail(field_name, p.code, {**p.params, "start": p.start, "end": p.end})
            for p in ordered
        ]
        super().__init__("formula_invalid", details=details)
        self.problems = ordered

    def __str__(self) -> str:
        return "; ".join(f"{p.code}@{p.start}-{p.end} {p.params}" for p in self.problems)
