"""The demonstration exam («демонстрационный экзамен», issue 7 item 4): raw points and the maximum give
a percent rounded to two decimals, a versioned conversion table gives the mark. A college sets its own
table by a local act; a new version never changes results recorded with an old one. Pure rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

MAX_BANDS = 10
MAX_POINTS = Decimal(10000)
HUNDRED = Decimal(100)
STEP = Decimal("0.01")
MARKS = ("2", "3", "4", "5")


@dataclass(frozen=True)
class Band:
    """Percents from `from_percent` to `to_percent`, both included, give `mark`."""

    from_percent: Decimal
    to_percent: Decimal
    mark: str


@dataclass(frozen=True)
class Scale:
    """A version of the conversion table, in force from `effective_from`."""

    version: int
    effective_from: date
    author_id: uuid.UUID | None
    bands: tuple[Band, ...]

    def mark_for(self, percent: Decimal) -> str:
        """Return the mark of a percent (0..100, two decimals)."""
        for band in self.bands:
            if band.from_percent <= percent <= band.to_percent:
                return band.mark
        raise ValueError(f"percent {percent} outside the table")  # check_bands makes this unreachable


# The default table (domain notes): under 20 % → 2, 20–39.99 → 3, 40–69.99 → 4, 70 and over → 5.
DEFAULT_BANDS = (
    Band(Decimal("0"), Decimal("19.99"), "2"),
    Band(Decimal("20"), Decimal("39.99"), "3"),
    Band(Decimal("40"), Decimal("69.99"), "4"),
    Band(Decimal("70"), Decimal("100"), "5"),
)


@dataclass(frozen=True)
class Result:
    """A student's demonstration exam: points, maximum, percent and the mark by a table's version."""

    id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    year_id: uuid.UUID
    semester: int
    exam_date: date
    points: Decimal
    maximum: Decimal
    percent: Decimal
    scale_version: int
    mark: str
    recorded_by: uuid.UUID
    final_id: uuid.UUID | None = None


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(STEP, rounding=ROUND_HALF_UP):
        return None
    return value.quantize(STEP)


def parse_percent(text: str, index: int, field: str) -> Decimal:
    """Return a band's bound (0..100, at most two decimals) or raise InvalidBandPercent."""
    value = _decimal(text)
    if value is None or not Decimal(0) <= value <= HUNDRED:
        raise InvalidBandPercent(index, field)
    return value


def check_bands(bands: Sequence[Band]) -> tuple[Band, ...]:
    """Return the bands when they cover 0–100 % in order, without gaps or overlaps, the mark never
    falling as the percent grows; otherwise raise the error naming the first band at fault."""
    if not bands:
        raise EmptyScale()
    if len(bands) > MAX_BANDS:
        raise TooManyBands()
    for index, band in enumerate(bands):
        if band.mark not in MARKS:
            raise InvalidBandMark(index)
        if band.to_percent < band.from_percent:
            raise BandBoundsReversed(index)
    if bands[0].from_percent != 0:
        raise ScaleNotFromZero()
    for index in range(1, len(bands)):
        previous, band = bands[index - 1], bands[index]
        expected = previous.to_percent + STEP
        if band.from_percent > expected:
            raise ScaleGap(index, previous.to_percent, band.from_percent)
        if band.from_percent < expected:
            raise ScaleOverlap(index)
        if int(band.mark) < int(previous.mark):
            raise ScaleNotMonotone(index)
    if bands[-1].to_percent != HUNDRED:
        raise ScaleNotToHundred()
    return tuple(bands)


def new_scale(
    bands: Sequence[Band],
    *,
    effective_from: date,
    author_id: uuid.UUID,
    current: Scale,
) -> Scale:
    """Return the next version of the table after `current`, in force from `effective_from`."""
    checked = check_bands(bands)
    if effective_from < current.effective_from:
        raise ScaleEffectiveBeforePrevious(current.effective_from)
    return Scale(current.version + 1, effective_from, author_id, checked)


def parse_points(points: str, maximum: str) -> tuple[Decimal, Decimal]:
    """Return (points, maximum) checked: maximum > 0, 0 ≤ points ≤ maximum, two decimals at most."""
    top = _decimal(maximum)
    if top is None or top > MAX_POINTS:
        raise InvalidMaximum()
    if top <= 0:
        raise MaximumNotPositive()
    got = _decimal(points)
    if got is None:
        raise InvalidPoints()
    if got < 0:
        raise NegativePoints()
    if got > top:
        raise PointsAboveMaximum(got, top)
    return got, top


def percent_of(points: Decimal, maximum: Decimal) -> Decimal:
    """Return points as a percent of the maximum rounded half up to two decimals."""
    return (points * HUNDRED / maximum).quantize(STEP, rounding=ROUND_HALF_UP)


def text_of(value: Decimal) -> str:
    """Return a decimal as the wire writes it: «72.5» → «72.50», «20.00» → «20»."""
    normal = value.quantize(STEP)
    return str(normal.to_integral_value()) if normal == normal.to_integral_value() else str(normal)


class InvalidBandPercent(InvalidArgument):
    """A band's bound is a percent 0..100 with at most two decimals."""

    def __init__(self, index: int, field: str) -> None:
        what = "нижняя" if field == "from_percent" else "верхняя"
        super().__init__(
            f"Строка №{index + 1} шкалы: {what} граница — процент от 0 до 100, не больше двух знаков "
            "после запятой",
            code="invalid_band_percent",
        )


class EmptyScale(InvalidArgument):
    """A table has at least one band."""

    def __init__(self) -> None:
        super().__init__("В шкале перевода нет ни одной строки", code="empty_scale")


class TooManyBands(InvalidArgument):
    """A table has a bounded number of bands."""

    def __init__(self) -> None:
        super().__init__(f"В шкале перевода не больше {MAX_BANDS} строк", code="too_many_bands")


class InvalidBandMark(InvalidArgument):
    """A band gives a mark 2..5."""

    def __init__(self, index: int) -> None:
        super().__init__(f"Строка №{index + 1} шкалы: отметка — 2, 3, 4 или 5", code="invalid_band_mark")


class BandBoundsReversed(InvalidArgument):
    """A band's lower bound is not above its upper bound."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1} шкалы: нижняя граница больше верхней", code="band_bounds_reversed"
        )


class ScaleNotFromZero(InvalidArgument):
    """The first band starts at 0 %."""

    def __init__(self) -> None:
        super().__init__("Шкала перевода должна начинаться с 0 %", code="scale_not_from_zero")


class ScaleNotToHundred(InvalidArgument):
    """The last band ends at 100 %."""

    def __init__(self) -> None:
        super().__init__("Шкала перевода должна заканчиваться на 100 %", code="scale_not_to_hundred")


class ScaleGap(InvalidArgument):
    """Each band starts one hundredth after the previous one ends."""

    def __init__(self, index: int, previous_to: Decimal, starts: Decimal) -> None:
        super().__init__(
            f"Строка №{index + 1} шкалы: пропуск между {text_of(previous_to)} % и {text_of(starts)} % — "
            f"строка должна начинаться с {text_of(previous_to + STEP)} %",
            code="scale_gap",
        )


class ScaleOverlap(InvalidArgument):
    """Bands do not overlap."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1} шкалы пересекается с предыдущей; строки идут по возрастанию процента",
            code="scale_overlap",
        )


class ScaleNotMonotone(InvalidArgument):
    """A higher percent never gives a lower mark."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1} шкалы: за больший процент отметка не может быть ниже",
            code="scale_not_monotone",
        )


class ScaleEffectiveBeforePrevious(FailedPrecondition):
    """A new version is in force from the previous one's first day or later."""

    def __init__(self, previous: date) -> None:
        super().__init__(
            f"Новая шкала не может действовать раньше предыдущей (с {previous:%d.%m.%Y})",
            code="scale_effective_before_previous",
        )


class DemoExamScaleNotFound(NotFound):
    """No table of that version (or none in force on the day)."""

    def __init__(self) -> None:
        super().__init__("Такой версии шкалы перевода нет", code="demo_exam_scale_not_found")


class InvalidMaximum(InvalidArgument):
    """The maximum is a number with at most two decimals, up to 10000."""

    def __init__(self) -> None:
        super().__init__(
            "Максимум баллов — число до 10000, не больше двух знаков после запятой", code="invalid_maximum"
        )


class MaximumNotPositive(InvalidArgument):
    """The maximum is above zero."""

    def __init__(self) -> None:
        super().__init__("Максимум баллов должен быть больше нуля", code="maximum_not_positive")


class InvalidPoints(InvalidArgument):
    """Points are a number with at most two decimals."""

    def __init__(self) -> None:
        super().__init__("Баллы — число, не больше двух знаков после запятой", code="invalid_points")


class NegativePoints(InvalidArgument):
    """Points are not below zero."""

    def __init__(self) -> None:
        super().__init__("Баллы не могут быть отрицательными", code="negative_points")


class PointsAboveMaximum(InvalidArgument):
    """Points are not above the maximum."""

    def __init__(self, points: Decimal, maximum: Decimal) -> None:
        super().__init__(
            f"Баллов ({text_of(points)}) больше максимума ({text_of(maximum)})", code="points_above_maximum"
        )


class NotADemoExam(FailedPrecondition):
    """The curriculum gives the discipline another control form in that semester."""

    def __init__(self) -> None:
        super().__init__(
            "По учебному плану у дисциплины в этом семестре нет демонстрационного экзамена",
            code="not_a_demo_exam",
        )


class ExamDateOutsideSemester(InvalidArgument):
    """The exam falls inside its semester."""

    def __init__(self) -> None:
        super().__init__("Дата экзамена вне выбранного семестра", code="exam_date_outside_semester")


class ExamDateInFuture(InvalidArgument):
    """A result is recorded on or after the exam's day."""

    def __init__(self) -> None:
        super().__init__("Дата экзамена ещё не наступила", code="exam_date_in_future")


class DemoExamResultExists(AlreadyExists):
    """One result per student, discipline and semester; a failed exam is retaken as a debt."""

    def __init__(self) -> None:
        super().__init__(
            "Результат демонстрационного экзамена этого обучающегося уже записан; повторная сдача — "
            "пересдача задолженности",
            code="demo_exam_result_exists",
        )
