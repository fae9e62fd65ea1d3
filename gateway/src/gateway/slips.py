"""Printable credential slips (issue 8 items 2, 3; slice H1): one A4 page per person, in Russian, with
the login and the password in a monospace font, each character of the password in its own box with
what it is under it («заглавная», «строчная», «цифра»), so it is typed right from paper. The PDF is
built in memory (fpdf2, DejaVu fonts from fonts-dejavu-core) and never written to disk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEFAULT_COLLEGE = "Электронный журнал колледжа"
ROLE_TITLES = {
    "admin": "администратор журнала",
    "director": "директор",
    "deputy": "заместитель директора",
    "curator": "куратор",
    "head_of_commission": "председатель предметно-цикловой комиссии",
    "class_teacher": "классный руководитель",
    "teacher": "преподаватель",
    "master": "мастер производственного обучения",
    "student": "обучающийся",
    "parent": "родитель (законный представитель)",
}
STUDENT_NOTE = "Пароль изменить нельзя; при утере обратитесь к классному руководителю."
OTHERS_NOTE = "При первом входе задайте свой пароль."
_MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]


@dataclass(frozen=True)
class Slip:
    """What one page shows: whose account, the login and the password just issued."""

    full_name: str
    role: str
    login: str
    password: str
    issued_on: date
    portal_url: str
    group: str = ""
    college: str = DEFAULT_COLLEGE


def role_title(role: str) -> str:
    """Return the role in Russian (the code itself when unknown)."""
    return ROLE_TITLES.get(role, role)


def russian_date(day: date) -> str:
    """Return «30 ноября 2026 г.»."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year} г."


def character_kind(char: str) -> str:
    """Name what a password character is, as printed under it."""
    if char.isdigit():
        return "цифра"
    if char.isalpha():
        return "заглавная" if char.isupper() else "строчная"
    return "знак"


def render_slips(slips: Sequence[Slip]) -> bytes:
    """Return a PDF with one A4 page per slip, in the order given."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(20, 20, 20)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVuMono", "", str(FONT_DIR / "DejaVuSansMono.ttf"))
    pdf.add_font("DejaVuMono", "B", str(FONT_DIR / "DejaVuSansMono-Bold.ttf"))
    pdf.set_title("Учётные данные для входа в электронный журнал")
    pdf.set_creator("ejournal")
    for slip in slips:
        _page(pdf, slip)
    return bytes(pdf.output())


def _line(
    pdf: FPDF, text: str, *, size: float, style: str = "", height: float = 8, font: str = "DejaVu"
) -> None:
    pdf.set_font(font, style, size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _label_value(pdf: FPDF, label: str, value: str, *, mono: bool = False) -> None:
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(40, 11, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_font("DejaVuMono" if mono else "DejaVu", "B", 16)
    pdf.cell(0, 11, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _page(pdf: FPDF, slip: Slip) -> None:
    pdf.add_page()
    _line(pdf, slip.college, size=13, style="B")
    _line(pdf, "Учётные данные для входа в электронный журнал", size=11, height=7)
    pdf.ln(6)
    _line(pdf, slip.full_name, size=20, style="B", height=10)
    role = role_title(slip.role)
    _line(pdf, f"{role[:1].upper()}{role[1:]}" + (f", группа {slip.group}" if slip.group else ""), size=12)
    pdf.ln(8)
    _label_value(pdf, "Адрес:", slip.portal_url)
    _label_value(pdf, "Логин:", slip.login, mono=True)
    _label_value(pdf, "Пароль:", slip.password, mono=True)
    pdf.ln(3)
    _password_boxes(pdf, slip.password)
    pdf.ln(8)
    note = STUDENT_NOTE if slip.role == "student" else OTHERS_NOTE
    _line(pdf, note, size=12, style="B")
    pdf.ln(2)
    _line(
        pdf,
        "Вводите пароль точно так, как он напечатан: заглавные и строчные буквы различаются. "
        "В паролях нет букв O, I, l и цифр 0, 1 — их легко спутать.",
        size=10,
        height=6,
    )
    _line(pdf, "Никому не сообщайте пароль. Листок храните в надёжном месте.", size=10, height=6)
    pdf.ln(6)
    _line(pdf, f"Пароль выдан {russian_date(slip.issued_on)}", size=11)


def _password_boxes(pdf: FPDF, password: str) -> None:
    """Each character in a box with its kind under it; rows wrap to the page's width."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    box = min(12.0, width / max(len(password), 1))
    per_row = max(int(width // box), 1)
    for start in range(0, len(password), per_row):
        chunk = password[start : start + per_row]
        x0, y0 = pdf.l_margin, pdf.get_y()
        pdf.set_font("DejaVuMono", "B", 18)
        for i, char in enumerate(chunk):
            pdf.set_xy(x0 + i * box, y0)
            pdf.cell(box, 12, char, border=1, align="C")
        pdf.set_font("DejaVu", "", 5.5)
        for i, char in enumerate(chunk):
            pdf.set_xy(x0 + i * box, y0 + 12)
            pdf.cell(box, 4, character_kind(char), align="C")
        pdf.set_xy(x0, y0 + 18)
