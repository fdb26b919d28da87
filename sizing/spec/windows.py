"""ElastiCache's daily snapshot window and weekly maintenance window, as minutes of the week.

    daily window     ``hh:mm-hh:mm``, UTC, every day; may run past midnight (``23:30-00:30``)
    weekly window    ``ddd:hh:mm-ddd:hh:mm``, UTC, once a week; may run past Sunday night

Both are checked before anything reaches AWS: CreateReplicationGroup refuses a window shorter
than 60 minutes, a maintenance window longer than 24 hours, and a snapshot window that
overlaps the maintenance window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_DAILY = re.compile(rf"^{_TIME}-{_TIME}$")
_WEEKLY = re.compile(rf"^({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}$")


@dataclass(frozen=True)
class _Span:
    """A half-open span [start, start + length) on a circle of ``period`` minutes."""

    start_minute: int
    length_minutes: int
    period_minutes: int

    def check_length(self, minimum_minutes: int, maximum_minutes: int | None = None) -> None:
        if self.length_minutes < minimum_minutes:
            raise ValueError(f"the window is {self.length_minutes} minutes long; ElastiCache needs at least "
                             f"{minimum_minutes}")
        if maximum_minutes is not None and self.length_minutes > maximum_minutes:
            raise ValueError(f"the window is {self.length_minutes} minutes long; ElastiCache allows at most "
                             f"{maximum_minutes}")


@dataclass(frozen=True)
class DailyWindow(_Span):
    @classmethod
    def parse(cls, text: str) -> DailyWindow:
        match = _DAILY.match(text)
        if not match:
            raise ValueError(f"expected hh:mm-hh:mm (UTC, 24-hour clock), got {text!r}")
        start = int(match[1]) * 60 + int(match[2])
        end = int(match[3]) * 60 + int(match[4])
        return cls(start, (end - start) % MINUTES_PER_DAY, MINUTES_PER_DAY)


@dataclass(frozen=True)
class WeeklyWindow(_Span):
    @classmethod
    def parse(cls, text: str) -> WeeklyWindow:
        match = _WEEKLY.match(text)
        if not match:
            raise ValueError(f"expected ddd:hh:mm-ddd:hh:mm (UTC, days mon..sun), got {text!r}")
        start = DAYS.index(match[1]) * MINUTES_PER_DAY + int(match[2]) * 60 + int(match[3])
        end = DAYS.index(match[4]) * MINUTES_PER_DAY + int(match[5]) * 60 + int(match[6])
        return cls(start, (end - start) % MINUTES_PER_WEEK, MINUTES_PER_WEEK)

    def overlaps(self, daily: DailyWindow) -> bool:
        """Whether the daily window, on any day of the week, shares a minute with this one."""
        return any(_intersect(self.start_minute, self.length_minutes,
                              day * MINUTES_PER_DAY + daily.start_minute, daily.length_minutes)
                   for day in range(7))


def _intersect(start_a: int, length_a: int, start_b: int, length_b: int) -> bool:
    """Whether two half-open spans on the week's circle share a minute."""
    offset = (start_b - start_a) % MINUTES_PER_WEEK
    return offset < length_a or (MINUTES_PER_WEEK - offset) < length_b
