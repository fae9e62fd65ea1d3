"""Finals («итоговые оценки», JournalService, issue 7 items 1-2; R3.1, R3.2): the college's final rule,
the proposals of a group × discipline × period with the enough-marks verdict, setting a final (the
teacher of the load, or the admin), the finals of a group and of a student with the mark of record,
and «Мало оценок» for the class teacher and the administration."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, instant_of, to_local_date

FINAL_KINDS = ProtoEnum(jpb.FinalKind)
RULE_KINDS = ProtoEnum(jpb.FinalRuleKind)
ROUNDINGS = ProtoEnum(jpb.FinalRounding)
FinalKindName = Annotated[str, FINAL_KINDS]
RuleKindName = Annotated[str, RULE_KINDS]
RoundingName = Annotated[str, ROUNDINGS]
SMALL = 32767
YearId = Annotated[UUID, Query(description="Идентификатор учебного года")]
Semester = Annotated[int, Query(ge=0, le=2, description="Семестр: 1 или 2; 0 — год")]
KindQuery = Annotated[str, FINAL_KINDS, Query(description=FINAL_KINDS.describe("Вид итоговой оценки"))]


class FinalRuleOut(BaseModel):
    """Версия правила выставления итоговых оценок."""

    version: int = Field(description="Номер версии; 1 — правило по умолчанию")
    kind: str = Field(description=RULE_KINDS.describe("Среднее, от которого считается оценка"))
    rounding: str = Field(description=ROUNDINGS.describe("Округление"))
    effective_from: date | None = Field(description="Действует с")
    author_id: str = Field(description="Кто задал (пусто для правила по умолчанию)")


class FinalRulesOut(BaseModel):
    """Правило в силе и все его версии."""

    rule: FinalRuleOut
    versions: list[FinalRuleOut]


class FinalRuleIn(RequestBody):
    """Новая версия правила (только администратор); выставленные оценки сохраняют свою версию."""

    kind: RuleKindName = Field(description=RULE_KINDS.describe("Среднее"))
    rounding: RoundingName = Field(description=ROUNDINGS.describe("Округление"))
    effective_from: date = Field(description="Действует с (не раньше действующей версии)")


class FinalOut(BaseModel):
    """Итоговая оценка."""

    final_id: str
    student_id: str
    group_id: str
    discipline_id: str
    year_id: str
    semester: int = Field(description="Семестр: 1 или 2; 0 — год")
    kind: str = Field(description=FINAL_KINDS.describe("Вид"))
    value: str = Field(description="Выставленная оценка («н/а» — не аттестован)")
    proposed_value: str = Field(description="Предложенная правилом (пусто — нечего было предложить)")
    rule_version: int = Field(description="Версия правила")
    set_by: str = Field(description="Кто выставил (последним)")
    set_at: datetime | None = Field(description="Когда выставлена (последний раз)")
    reason: str = Field(description="Причина расхождения с предложенной или изменения")
    marks_count: int = Field(description="Оценок учтено")
    required_marks: int = Field(description="Оценок требуется")
    not_enough_marks_confirmed: bool = Field(description="Выставлена при недостатке оценок с подтверждением")
    mark_of_record: bool = Field(description="Оценка, идущая в документы по дисциплине и семестру")


class ProposedFinalOut(BaseModel):
    """Предложение по одному обучающемуся."""

    student_id: str
    marks_count: int = Field(description="Оценок учтено")
    required_marks: int = Field(description="Оценок требуется: 3 при 1 часе в неделю, 5 при 2 и более")
    enough_marks: bool = Field(description="Оценок достаточно")
    mean: str = Field(description="Среднее, 2 знака (пусто — оценок нет)")
    weighted_mean: str = Field(description="Средневзвешенное, 2 знака")
    proposed_value: str = Field(description="Предложенная итоговая оценка (пусто — нечего предложить)")
    final: FinalOut | None = Field(description="Уже выставленная итоговая оценка")


class ProposalsOut(BaseModel):
    """Предложения итоговых оценок группы по дисциплине за период."""

    rule: FinalRuleOut
    students: list[ProposedFinalOut]
    allowed_values: list[str] = Field(description="Допустимые значения для этого вида")
    weekly_hours: int = Field(description="Часов в неделю по учебному плану")


class FinalIn(RequestBody):
    """Итоговая оценка обучающегося (преподаватель нагрузки или администратор)."""

    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    year_id: UUID = Field(description="Идентификатор учебного года")
    semester: int = Field(ge=-SMALL, le=SMALL, description="Семестр: 1 или 2; 0 — год (вид year)")
    kind: FinalKindName = Field(description=FINAL_KINDS.describe("Вид итоговой оценки"))
    value: str = Field(max_length=16, description="Оценка из допустимых для вида")
    reason: str = Field(default="", max_length=500, description="Причина (необязательно)")
    confirm_not_enough_marks: bool = Field(
        default=False, description="Подтверждаю выставление при недостатке оценок"
    )


class SetFinalOut(BaseModel):
    """Итоговая оценка после выставления."""

    final: FinalOut
    changed: bool = Field(description="Прежнее значение изменено (сохранено в истории)")


class FinalsOut(BaseModel):
    """Итоговые оценки."""

    finals: list[FinalOut]


class StudentMarksCountOut(BaseModel):
    """Обучающийся с числом оценок."""

    student_id: str
    marks_count: int


class TooFewMarksOut(BaseModel):
    """Дисциплина, по которой у обучающихся мало оценок."""

    discipline_id: str
    weekly_hours: int
    required_marks: int
    students: list[StudentMarksCountOut]


class TooFewMarksListOut(BaseModel):
    """«Мало оценок» группы за семестр."""

    disciplines: list[TooFewMarksOut]


def rule_out(rule: pb.FinalRule) -> FinalRuleOut:
    """Map a version of the rule."""
    return FinalRuleOut(
        version=rule.version,
        kind=RULE_KINDS.name_of(rule.kind),
        rounding=ROUNDINGS.name_of(rule.rounding),
        effective_from=date_of(rule.effective_from),
        author_id=rule.author_id,
    )


def final_out(final: jpb.Final) -> FinalOut:
    """Map a final."""
    return FinalOut(
        final_id=final.final_id,
        student_id=final.student_id,
        group_id=final.group_id,
        discipline_id=final.discipline_id,
        year_id=final.period.year_id,
        semester=final.period.semester,
        kind=FINAL_KINDS.name_of(final.period.kind),
        value=final.value,
        proposed_value=final.proposed_value,
        rule_version=final.rule_version,
        set_by=final.set_by,
        set_at=instant_of(final.set_at, present=final.HasField("set_at")),
        reason=final.reason,
        marks_count=final.marks_count,
        required_marks=final.required_marks,
        not_enough_marks_confirmed=final.not_enough_marks_confirmed,
        mark_of_record=final.mark_of_record,
    )


def _finals(items: Iterable[jpb.Final]) -> FinalsOut:
    return FinalsOut(finals=[final_out(f) for f in items])


router = APIRouter(tags=["Итоговые оценки"])


@router.get("/final-rule", summary="Правило выставления итоговых оценок")
async def get_final_rule(caller: Caller, clients: Clients) -> FinalRulesOut:
    """Правило в силе и все версии (сотрудники колледжа)."""
    reply = await call(clients.journal.GetFinalRule, pb.GetFinalRuleRequest(), caller.token)
    return FinalRulesOut(rule=rule_out(reply.rule), versions=[rule_out(v) for v in reply.versions])


@router.post("/final-rule/versions", status_code=201, summary="Задать новую версию правила")
async def set_final_rule(body: FinalRuleIn, caller: Caller, clients: Clients) -> FinalRuleOut:
    """Новая версия правила (администратор); действует не раньше текущей версии."""
    request = pb.SetFinalRuleRequest(
        kind=RULE_KINDS.to_pb(body.kind),
        rounding=ROUNDINGS.to_pb(body.rounding),
        effective_from=to_local_date(body.effective_from),
    )
    return rule_out((await call(clients.journal.SetFinalRule, request, caller.token)).rule)


@router.get(
    "/groups/{group_id}/finals", summary="Итоговые оценки группы по дисциплине: предложенные и выставленные"
)
async def propose_finals(
    group_id: UUID,
    *,
    discipline: Annotated[UUID, Query(description="Идентификатор дисциплины")],
    year_id: YearId,
    semester: Semester,
    kind: KindQuery,
    caller: Caller,
    clients: Clients,
) -> ProposalsOut:
    """По каждому обучающемуся: оценок учтено и требуется, средние, предложенная и выставленная
    итоговая оценка (администрация, преподаватели группы, её классный руководитель)."""
    request = pb.ProposeFinalsRequest(
        group_id=str(group_id),
        discipline_id=str(discipline),
        period=jpb.FinalPeriod(year_id=str(year_id), semester=semester, kind=FINAL_KINDS.to_pb(kind)),
    )
    reply = await call(clients.journal.ProposeFinals, request, caller.token)
    return ProposalsOut(
        rule=rule_out(reply.rule),
        students=[
            ProposedFinalOut(
                student_id=s.student_id,
                marks_count=s.marks_count,
                required_marks=s.required_marks,
                enough_marks=s.enough_marks,
                mean=s.mean,
                weighted_mean=s.weighted_mean,
                proposed_value=s.proposed_value,
                final=final_out(s.final) if s.HasField("final") else None,
            )
            for s in reply.students
        ],
        allowed_values=list(reply.allowed_values),
        weekly_hours=reply.weekly_hours,
    )


@router.put("/groups/{group_id}/finals/{student_id}", summary="Выставить итоговую оценку")
async def set_final(
    group_id: UUID, student_id: UUID, body: FinalIn, caller: Caller, clients: Clients
) -> SetFinalOut:
    """Выставляет или изменяет итоговую оценку (изменение сохраняется в истории). При недостатке оценок
    нужен confirm_not_enough_marks (иначе 409 not_enough_marks)."""
    request = pb.SetFinalRequest(
        group_id=str(group_id),
        discipline_id=str(body.discipline_id),
        student_id=str(student_id),
        period=jpb.FinalPeriod(
            year_id=str(body.year_id), semester=body.semester, kind=FINAL_KINDS.to_pb(body.kind)
        ),
        value=body.value,
        reason=body.reason,
        confirm_not_enough_marks=body.confirm_not_enough_marks,
    )
    reply = await call(clients.journal.SetFinal, request, caller.token)
    return SetFinalOut(final=final_out(reply.final), changed=reply.changed)


@router.get("/groups/{group_id}/finals-sheet", summary="Итоговые оценки группы за год или семестр")
async def group_finals(
    group_id: UUID, year_id: YearId, semester: Semester, caller: Caller, clients: Clients
) -> FinalsOut:
    """Все итоговые оценки группы (semester=0 — за весь год), с отметкой оценки, идущей в документы."""
    request = pb.GetGroupFinalsRequest(group_id=str(group_id), year_id=str(year_id), semester=semester)
    return _finals((await call(clients.journal.GetGroupFinals, request, caller.token)).finals)


@router.get("/students/{student_id}/finals", summary="Итоговые оценки обучающегося за год")
async def student_finals(student_id: UUID, year_id: YearId, caller: Caller, clients: Clients) -> FinalsOut:
    """Итоговые оценки обучающегося (он сам, родитель, преподаватели и классный руководитель группы,
    администрация)."""
    request = pb.GetStudentFinalsRequest(student_id=str(student_id), year_id=str(year_id))
    return _finals((await call(clients.journal.GetStudentFinals, request, caller.token)).finals)


@router.get("/groups/{group_id}/too-few-marks", summary="Мало оценок: обучающиеся ниже порога")
async def too_few_marks(
    group_id: UUID,
    year_id: YearId,
    semester: Annotated[int, Query(ge=1, le=2, description="Семестр: 1 или 2")],
    caller: Caller,
    clients: Clients,
) -> TooFewMarksListOut:
    """По дисциплинам плана группы в семестре: обучающиеся, у которых меньше 3 (1 час в неделю) или 5
    (2 часа и более) оценок (классный руководитель группы, куратор, администрация)."""
    request = pb.ListStudentsWithTooFewMarksRequest(
        group_id=str(group_id), year_id=str(year_id), semester=semester
    )
    reply = await call(clients.journal.ListStudentsWithTooFewMarks, request, caller.token)
    return TooFewMarksListOut(
        disciplines=[
            TooFewMarksOut(
                discipline_id=d.discipline_id,
                weekly_hours=d.weekly_hours,
                required_marks=d.required_marks,
                students=[
                    StudentMarksCountOut(student_id=s.student_id, marks_count=s.marks_count)
                    for s in d.students
                ],
            )
            for d in reply.disciplines
        ]
    )


# The history of a final (issue 7 item 6, slice K).
class FinalHistoryEntryOut(BaseModel):
    """Выставление или изменение итоговой оценки: кто, когда, было → стало, почему."""

    at: datetime | None = Field(description="Когда, UTC")
    actor_id: str = Field(description="Кто выставил или изменил")
    old_value: str | None = Field(description="Было; null — первое выставление («не было»)")
    new_value: str = Field(description="Стало")
    proposed_value: str | None = Field(description="Что предлагало правило; null — предложить было нечего")
    rule_version: int = Field(description="Версия правила")
    text: str = Field(description="Причина (может быть пустой)")


class FinalHistoryOut(BaseModel):
    """Итоговая оценка сейчас и её история в порядке времени."""

    final: FinalOut
    entries: list[FinalHistoryEntryOut]


@router.get("/finals/{final_id}/history", summary="История итоговой оценки")
async def final_history(final_id: UUID, caller: Caller, clients: Clients) -> FinalHistoryOut:
    """Первое выставление и каждое изменение (кто, когда, было → стало, почему, предложенная оценка и
    версия правила). Видят обучающийся и все, кто видит его итоговые оценки; чтение чужой истории
    записывается в журнал аудита; остальным — 404 final_not_found."""
    request = pb.GetFinalHistoryRequest(final_id=str(final_id))
    reply = await call(clients.journal.GetFinalHistory, request, caller.token)
    return FinalHistoryOut(
        final=final_out(reply.final),
        entries=[
            FinalHistoryEntryOut(
                at=instant_of(e.changed_at, present=e.HasField("changed_at")),
                actor_id=e.changed_by,
                old_value=e.old_value or None,
                new_value=e.new_value,
                proposed_value=e.proposed_value or None,
                rule_version=e.rule_version,
                text=e.reason,
            )
            for e in reply.entries
        ],
    )
