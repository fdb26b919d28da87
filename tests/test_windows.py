"""Snapshot and maintenance windows: lengths and overlap on the week's circle."""

from __future__ import annotations

import pytest

from sizing.spec.windows import DailyWindow, WeeklyWindow


@pytest.mark.parametrize(("weekly", "daily", "overlap"), [
    ("sun:05:30-sun:07:00", "03:00-05:00", False),
    ("sun:05:30-sun:07:00", "03:00-05:31", True),
    ("sun:05:30-sun:07:00", "07:00-08:00", False),  # windows are half-open: one may start as the other ends
    ("sat:23:00-sun:01:00", "00:30-02:00", True),  # the maintenance window runs past midnight
    ("sun:23:00-mon:01:00", "23:30-00:30", True),  # both run past midnight, across the week's end
    ("wed:10:00-wed:11:00", "22:00-09:59", False),  # the daily window runs past midnight, missing it
    ("wed:10:00-wed:11:00", "22:00-10:01", True),
])
def test_overlap(weekly: str, daily: str, overlap: bool) -> None:
    assert WeeklyWindow.parse(weekly).overlaps(DailyWindow.parse(daily)) is overlap


@pytest.mark.parametrize(("text", "minutes"), [("23:30-00:30", 60), ("03:00-05:00", 120), ("05:00-05:00", 0)])
def test_daily_length(text: str, minutes: int) -> None:
    assert DailyWindow.parse(text).length_minutes == minutes


def test_weekly_length_across_the_weeks_end() -> None:
    assert WeeklyWindow.parse("sun:23:00-mon:01:00").length_minutes == 120


@pytest.mark.parametrize("text", ["3:00-05:00", "24:00-01:00", "03:60-05:00", "03:00 05:00"])
def test_bad_daily_windows(text: str) -> None:
    with pytest.raises(ValueError, match="expected hh:mm-hh:mm"):
        DailyWindow.parse(text)


def test_short_window_is_refused() -> None:
    with pytest.raises(ValueError, match="30 minutes long; ElastiCache needs at least 60"):
        DailyWindow.parse("05:00-05:30").check_length(60)
