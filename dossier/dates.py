"""Partial dates: ISO 8601 with reduced precision plus the EDTF level-1 marks `?` and `~`.

Accepted: `2025`, `2025-07`, `2025-04-26`, each optionally followed by `?` (uncertain),
`~` (approximate) or `%` (both), and intervals of two such dates joined by `/`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_POINT = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?P<q>[?~%])?")


@dataclass(frozen=True, order=True)
class DatePoint:
    """One date at year, month or day precision."""

    year: int
    month: int | None = None
    day: int | None = None
    uncertain: bool = False  # EDTF `?`: the source is not sure
    approximate: bool = False  # EDTF `~`: roughly this date

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        """The date without qualifiers, at its own precision (for `<time datetime>`)."""
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    def edtf(self) -> str:
        mark = (
            "%" if self.uncertain and self.approximate else "?" if self.uncertain else "~" if self.approximate else ""
        )
        return self.iso() + mark

    def display(self, short: bool = False, with_year: bool = True) -> str:
        """Human form at the date's precision: `26 April 2025`, `July 2025`, `2025`."""
        parts: list[str] = []
        if self.day:
            parts.append(str(self.day))
        if self.month:
            name = MONTHS[self.month - 1]
            parts.append(name[:3] if short and len(name) > 4 else name)
        if with_year or not self.month:
            parts.append(str(self.year))
        text = " ".join(parts)
        if self.approximate:
            text = "c. " + text
        if self.uncertain:
            text += "?"
        return text

    def first_day(self) -> tuple[int, int, int]:
        return (self.year, self.month or 1, self.day or 1)

    def last_day(self) -> tuple[int, int, int]:
        month = self.month or 12
        return (self.year, month, self.day or calendar.monthrange(self.year, month)[1])


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date point or an interval of two points, exactly as precise as its source."""

    start: DatePoint
    end: DatePoint | None = None

    @property
    def is_interval(self) -> bool:
        return self.end is not None

    def edtf(self) -> str:
        return self.start.edtf() + (f"/{self.end.edtf()}" if self.end else "")

    def iso(self) -> str:
        """Machine-readable form for `<time datetime>`: ISO 8601, intervals with `/`."""
        return self.start.iso() + (f"/{self.end.iso()}" if self.end else "")

    def display(self) -> str:
        """`July 2025`, `26 April 2025`, `Aug 2024 – Mar 2025`, `October 2025?`."""
        return " – ".join(text for _, text in self.display_parts())

    def display_parts(self) -> list[tuple[str, str]]:
        """(ISO date, human text) for the point, or for each end of an interval."""
        if self.end is None:
            return [(self.start.iso(), self.start.display())]
        same_year = self.start.year == self.end.year and self.start.month is not None
        start = self.start.display(short=True, with_year=not same_year)
        return [(self.start.iso(), start), (self.end.iso(), self.end.display(short=True))]

    def sort_key(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """Chronological order: by first possible day, then by last possible day."""
        end = self.end or self.start
        return (self.start.first_day(), end.last_day())

    def __str__(self) -> str:
        return self.edtf()


def _parse_point(text: str) -> DatePoint:
    match = _POINT.fullmatch(text)
    if not match:
        raise ValueError(f"'{text}' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD, optionally with ? or ~)")
    year = int(match["y"])
    month = int(match["m"]) if match["m"] else None
    day = int(match["d"]) if match["d"] else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"'{text}' has no month {month:02d}")
    if day is not None and month is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"'{text}' is not a real date: {MONTHS[month - 1]} {year} has {last} days")
    mark = match["q"] or ""
    return DatePoint(year, month, day, uncertain=mark in "?%" and bool(mark), approximate=mark in "~%" and bool(mark))


def parse_date(text: str) -> PartialDate:
    """Parse the EDTF subset above; raise ValueError with a reader-facing message."""
    text = text.strip()
    if text.count("/") > 1:
        raise ValueError(f"'{text}' is not a date interval (expected START/END)")
    if "/" in text:
        first, second = text.split("/")
        start, end = _parse_point(first), _parse_point(second)
        if start.first_day() > end.last_day():
            raise ValueError(f"'{text}' ends before it starts")
        return PartialDate(start, end)
    return PartialDate(_parse_point(text))
