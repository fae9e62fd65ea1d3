"""Retakes of an academic debt (273-ФЗ ст.58; issue 7 item 3): at most two within a year of the final,
the second before a commission of at least three teachers with a chairman. Pure rules, no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chassis.errors import FailedPrecondition, InvalidArgument, NotFound

MAX_RETAKES = 2
MIN_COMMISSION = 3
MAX_COMMISSION = 9


@dataclass(frozen=True)
class Commission:
    """The commission of a retake: its members, the chairman among them."""

    chairman_id: uuid.UUID
    member_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class Retake:
    """One retake of a failing final: its number, date, mark and whether it passed."""

    id: uuid.UUID
    final_id: uuid.UUID
    attempt: int
    retake_date: date
    value: str
    passed: bool
    commission: Commission | None
    recorded_by: uuid.UUID


def deadline_of(final_date: date) -> date:
    """Return the last day a retake may be held: a year after the final (29 February → 28)."""
    try:
        return final_date.replace(year=final_date.year + 1)
    except ValueError:
        return final_date.replace(year=final_date.year + 1, day=28)


def check_commission(member_ids: Sequence[uuid.UUID], chairman_id: uuid.UUID | None) -> Commission | None:
    """Return the commission (None when neither members nor a chairman are given), or raise."""
    if not member_ids and chairman_id is None:
        return None
    if len(set(member_ids)) != len(member_ids):
        raise DuplicateCommissionMember()
    if len(member_ids) > MAX_COMMISSION:
        raise TooManyCommissionMembers()
    if len(member_ids) < MIN_COMMISSION:
        raise CommissionTooSmall()
    if chairman_id is None:
        raise CommissionChairmanRequired()
    if chairman_id not in member_ids:
        raise CommissionChairmanNotMember()
    return Commission(chairman_id, tuple(member_ids))


def next_attempt(
    previous: Sequence[Retake],
    *,
    retake_date: date,
    final_date: date,
    today: date,
    commission: Commission | None,
) -> int:
    """Return the number of the retake being recorded after checking the rules, or raise the refusal."""
    if any(r.passed for r in previous):
        raise DebtAlreadyClosed()
    if len(previous) >= MAX_RETAKES:
        raise RetakeLimitReached()
    if retake_date > today:
        raise RetakeDateInFuture()
    if retake_date < final_date:
        raise RetakeBeforeFinal(final_date)
    if retake_date > deadline_of(final_date):
        raise RetakeDeadlinePassed(deadline_of(final_date))
    if previous and retake_date < max(r.retake_date for r in previous):
        raise RetakeOutOfOrder()
    attempt = len(previous) + 1
    if attempt == MAX_RETAKES and commission is None:
        raise CommissionRequired()
    return attempt


class FinalNotFound(NotFound):
    """No final with that id (or the caller may not learn it exists)."""

    def __init__(self) -> None:
        super().__init__("Итоговая оценка не найдена", code="final_not_found")


class NotADebt(FailedPrecondition):
    """The final passes, or another final of the period is the mark of record."""

    def __init__(self) -> None:
        super().__init__(
            "По этой итоговой оценке нет академической задолженности: пересдача не нужна", code="not_a_debt"
        )


class DebtAlreadyClosed(FailedPrecondition):
    """A passing retake closed the debt."""

    def __init__(self) -> None:
        super().__init__("Задолженность уже ликвидирована: пересдача сдана", code="debt_already_closed")


class RetakeLimitReached(FailedPrecondition):
    """At most two retakes (273-ФЗ ст.58)."""

    def __init__(self) -> None:
        super().__init__(
            f"Пересдача возможна не более {MAX_RETAKES} раз; обе пересдачи уже записаны",
            code="retake_limit_reached",
        )


class CommissionRequired(FailedPrecondition):
    """The second retake is held before a commission."""

    def __init__(self) -> None:
        super().__init__(
            "Вторая пересдача проводится комиссией: укажите её членов и председателя",
            code="commission_required",
        )


class RetakeDeadlinePassed(FailedPrecondition):
    """A retake is held within a year of the final."""

    def __init__(self, deadline: date) -> None:
        super().__init__(
            f"Срок ликвидации задолженности истёк {deadline:%d.%m.%Y} (год со дня итоговой оценки)",
            code="retake_deadline_passed",
        )


class RetakeBeforeFinal(InvalidArgument):
    """A retake follows the final."""

    def __init__(self, final_date: date) -> None:
        super().__init__(
            f"Пересдача не может быть раньше итоговой оценки ({final_date:%d.%m.%Y})",
            code="retake_before_final",
        )


class RetakeDateInFuture(InvalidArgument):
    """A retake is recorded on or after its day."""

    def __init__(self) -> None:
        super().__init__("Дата пересдачи ещё не наступила", code="retake_date_in_future")


class RetakeOutOfOrder(InvalidArgument):
    """The second retake is not dated before the first."""

    def __init__(self) -> None:
        super().__init__("Вторая пересдача не может быть раньше первой", code="retake_out_of_order")


class CommissionTooSmall(InvalidArgument):
    """A commission has at least three members."""

    def __init__(self) -> None:
        super().__init__(
            f"В комиссии должно быть не меньше {MIN_COMMISSION} преподавателей", code="commission_too_small"
        )


class TooManyCommissionMembers(InvalidArgument):
    """A commission has a bounded number of members."""

    def __init__(self) -> None:
        super().__init__(f"В комиссии не больше {MAX_COMMISSION} человек", code="too_many_commission_members")


class DuplicateCommissionMember(InvalidArgument):
    """Each member once."""

    def __init__(self) -> None:
        super().__init__("Член комиссии указан дважды", code="duplicate_commission_member")


class CommissionChairmanRequired(InvalidArgument):
    """A commission has a chairman."""

    def __init__(self) -> None:
        super().__init__("Укажите председателя комиссии", code="commission_chairman_required")


class CommissionChairmanNotMember(InvalidArgument):
    """The chairman is one of the members."""

    def __init__(self) -> None:
        super().__init__(
            "Председатель должен быть одним из членов комиссии", code="commission_chairman_not_member"
        )


class CommissionMemberNotTeacher(FailedPrecondition):
    """Commission members are the college's teachers."""

    def __init__(self) -> None:
        super().__init__(
            "В комиссию входят только преподаватели; у одного из выбранных другая роль",
            code="commission_member_not_teacher",
        )
