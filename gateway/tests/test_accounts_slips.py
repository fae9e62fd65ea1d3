"""The printable credential slips (slice H1): one A4 page per person, Russian text in DejaVu, the
role in Russian, each password character named under it."""

from __future__ import annotations

import re
from datetime import date

from gateway.slips import Slip, character_kind, render_slips, role_title, russian_date


def page_count(pdf: bytes) -> int:
    """Count the page objects of a PDF (not the /Pages tree)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_one_a4_page_per_person() -> None:
    slips = [
        Slip(
            f"Иванов Пётр {i}",
            role,
            f"ivanov{i}",
            "aB3dE5fG7hJ8kM",
            date(2026, 11, 30),
            "https://j.example.ru",
        )
        for i, role in enumerate(["student", "parent", "teacher"])
    ]
    pdf = render_slips(slips)
    assert pdf.startswith(b"%PDF") and page_count(pdf) == 3
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf
    assert b"DejaVu" in pdf


def test_the_words_on_a_slip() -> None:
    assert role_title("student") == "обучающийся"
    assert role_title("parent") == "родитель (законный представитель)"
    assert russian_date(date(2026, 11, 30)) == "30 ноября 2026 г."
    assert [character_kind(c) for c in "aB3"] == ["строчная", "заглавная", "цифра"]
