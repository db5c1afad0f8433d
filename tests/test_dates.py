from __future__ import annotations

import pytest

from dossier.dates import parse_date


@pytest.mark.parametrize(
    ("text", "shown", "iso"),
    [
        ("2025", "2025", "2025"),
        ("2025-07", "July 2025", "2025-07"),
        ("2025-04-26", "26 April 2025", "2025-04-26"),
        ("2025-10?", "October 2025?", "2025-10"),
        ("2024~", "c. 2024", "2024"),
        ("2024-08/2025-03", "Aug 2024 – Mar 2025", "2024-08/2025-03"),
        ("2025-04/2025-05", "Apr – May 2025", "2025-04/2025-05"),
        ("2024-08?/2025-03?", "Aug 2024? – Mar 2025?", "2024-08/2025-03"),
        ("2024-02-29", "29 February 2024", "2024-02-29"),
    ],
)
def test_dates_display_at_their_precision(text: str, shown: str, iso: str) -> None:
    date = parse_date(text)
    assert date.display() == shown
    assert date.iso() == iso
    assert date.edtf() == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-02-30", "'2025-02-30' is not a real date: February 2025 has 28 days"),
        ("2025-13", "'2025-13' has no month 13"),
        ("25-01-01", "'25-01-01' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD, optionally with ? or ~)"),
        ("2025-03/2024-01", "'2025-03/2024-01' ends before it starts"),
        ("2025/2026/2027", "'2025/2026/2027' is not a date interval (expected START/END)"),
    ],
)
def test_impossible_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_date(text)
    assert str(err.value) == message


def test_dates_sort_chronologically() -> None:
    texts = ["2025-04-26", "2024-10", "2025", "2024-08/2025-03", "2025-07?"]
    ordered = sorted(texts, key=lambda t: parse_date(t).sort_key())
    assert ordered == ["2024-08/2025-03", "2024-10", "2025", "2025-04-26", "2025-07?"]
