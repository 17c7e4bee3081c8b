"""Working days count statutory holidays off and make-up days (调休) on; an unknown year is provisional."""

import datetime as dt

import pytest

from govsite.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 1, 26), True),  # Sunday worked before the 2025 Spring Festival
        (D(2025, 2, 8), True),  # Saturday worked after it
        (D(2025, 10, 11), True),  # Saturday worked after National Day 2025
        (D(2025, 10, 8), False),  # Wednesday inside the National Day week
        (D(2026, 1, 4), True),  # Sunday worked after New Year 2026
        (D(2026, 2, 14), True),  # Saturday worked before the 2026 Spring Festival
        (D(2026, 2, 18), False),  # Wednesday inside the Spring Festival week
        (D(2026, 10, 10), True),  # Saturday worked after National Day 2026
        (D(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_make_up_sunday_counts_2025() -> None:
    # Fri 24 Jan 2025 + 1 working day: Sat 25 is off, Sun 26 is a make-up working day.
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)


def test_make_up_sunday_counts_2026() -> None:
    # Wed 31 Dec 2025: 1–3 Jan 2026 are off, Sun 4 Jan is worked.
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)


def test_make_up_saturday_counts_2025() -> None:
    # Fri 7 Feb 2025 + 1: Sat 8 Feb is a make-up working day.
    assert add_working_days(D(2025, 2, 7), 1) == D(2025, 2, 8)


def test_make_up_saturday_counts_2026() -> None:
    # Fri 9 Oct 2026 + 1: Sat 10 Oct is a make-up working day.
    assert add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_holiday_week_2025() -> None:
    # Declared Tue 30 Sep 2025; 1–8 Oct are off; 9, 10, 11 (Sat, worked), 13, 14.
    assert add_working_days(D(2025, 9, 30), 5) == D(2025, 10, 14)


def test_holiday_week_2026_spring_festival() -> None:
    # Fri 13 Feb 2026: Sat 14 worked (1); 15–23 off; Tue 24 (2), 25, 26, 27 (5).
    assert add_working_days(D(2026, 2, 13), 5) == D(2026, 2, 27)


def test_holiday_week_2026_national_day() -> None:
    # Wed 30 Sep 2026: 1–7 Oct off; 8, 9, 10 (Sat, worked), 12, 13.
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_zero_days_is_the_start() -> None:
    assert add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_working_days_between_counts_make_up_days() -> None:
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert working_days_between(D(2026, 10, 13), D(2026, 9, 30)) == 0


def test_an_unknown_year_counts_monday_to_friday_and_says_so() -> None:
    from govsite.workdays import DEFAULT_CALENDAR

    due, unknown = DEFAULT_CALENDAR.add_working_days(D(2026, 12, 31), 3)
    assert (due, unknown) == (D(2027, 1, 5), frozenset({2027}))  # Fri 1, Mon 4, Tue 5 (New Year not known)
