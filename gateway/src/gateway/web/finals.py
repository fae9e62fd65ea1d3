"""Portal «Итоговые оценки» (issue 7 items 1-2; R3.1, R3.2): from the journal page of a group ×
discipline, the students with their marks counted, average, the final the college's rule proposes and
the final set; the teacher of the load (or the admin) picks the final, and a student with too few marks
shows «Недостаточно оценок (нужно не менее N)» with a checkbox to confirm. The rule used is named.
«Мало оценок» lists a group's students below the threshold per discipline for the class teacher, the
curator and the administration. The journal decides every rule again; its refusal is shown at the row.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import grpc
from chassis.grpc_client import error_code_of
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.common import date_of, instant_of
from gateway.resources.curriculum import CONTROL_FORMS
from gateway.resources.finals import FINAL_KINDS, ROUNDINGS, RULE_KINDS
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.group_plan import discipline_labels
from gateway.web.journal import render, staff_only, today_of
from gateway.web.names import people_names
from gateway.web.pages import names_if_available
from gateway.web.period_locks import LockShown, page_locks
from gateway.web.year import SERVICE_DOWN, FormProblem, service_problem

router = APIRouter()

EDITORS = frozenset({"teacher", "admin"})
KIND_LABELS = {
    "semester": "оценка за семестр",
    "year": "годовая оценка",
    "exam": "экзамен",
    "differentiated_credit": "дифференцированный зачёт",
    "credit": "зачёт",
    "module_exam": "экзамен по модулю",
    "demonstration_exam": "демонстрационный экзамен",
    "other_attestation": "курсовая работа (проект)",
}
# The attestation a control form of the curriculum calls for (the journal's domain.finals.ATTESTATION_OF).
ATTESTATION_OF = {
    "exam": "exam",
    "complex_exam": "exam",
    "differentiated_credit": "differentiated_credit",
    "credit": "credit",
    "module_exam": "module_exam",
    "demonstration_exam": "demonstration_exam",
    "course_work": "other_attestation",
}
RULE_LABELS = {"mean": "среднее арифметическое", "weighted_mean": "средневзвешенное по видам работ"}
ROUNDING_LABELS = {
    "half_up": "по правилам округления (от ,50 — вверх)",
    "in_favour_of_student": "в пользу обучающегося (любая дробь — вверх)",
    "down": "вниз (дробь отбрасывается)",
}
VALUE_LABELS = {"н/а": "н/а — не аттестован", "зач": "зачтено", "незач": "не зачтено"}


@dataclass(frozen=True)
class Choice:
    """One period and kind of final the curriculum offers for the discipline: «1:exam»."""

    value: str
    label: str


@dataclass(frozen=True)
class StudentRow:
    """One student's line of the page."""

    student_id: str
    name: str
    marks_count: int
    required_marks: int
    enough: bool
    mean: str
    proposed: str
    value: str
    reason: str
    confirmed: bool
    final_id: str = ""  # the final set, for its «История» (slice K)


def choices_of(rows: list[pb.CurriculumRow], discipline_id: str) -> list[Choice]:
    """The periods and kinds of the discipline's curriculum: per semester its attestation (the mark of
    record) and the semester's mark, then the year's mark."""
    found: list[Choice] = []
    for row in sorted((r for r in rows if r.discipline_id == discipline_id), key=lambda r: r.semester):
        attestation = ATTESTATION_OF.get(CONTROL_FORMS.name_of(row.control_form))
        for kind in ([attestation] if attestation else []) + ["semester"]:
            found.append(Choice(f"{row.semester}:{kind}", f"{row.semester} семестр — {KIND_LABELS[kind]}"))
    if found:
        found.append(Choice("0:year", f"Учебный год — {KIND_LABELS['year']}"))
    return found


def parse_choice(text: str) -> tuple[int, str] | None:
    """«1:exam» → (1, "exam"); None for anything else."""
    semester, _, kind = text.partition(":")
    if semester not in {"0", "1", "2"} or kind not in FINAL_KINDS.names:
        return None
    return int(semester), kind


def year_of(years: list[jpb.AcademicYear], chosen: str, today: date) -> jpb.AcademicYear | None:
    """The chosen year, else the one today falls in, else the newest."""
    for y in years:
        if y.year_id == chosen:
            return y
    for y in years:
        starts, ends = date_of(y.span.starts_on), date_of(y.span.ends_on)
        if starts and ends and starts <= today <= ends:
            return y
    return years[0] if years else None


def default_choice(choices: list[Choice], academic_year: jpb.AcademicYear, today: date) -> str:
    """This semester's first choice (its mark of record), else the first."""
    ends = date_of(academic_year.semester1.ends_on)
    semester = "1" if ends is None or today <= ends else "2"
    return next(
        (c.value for c in choices if c.value.startswith(f"{semester}:")), choices[0].value if choices else ""
    )


def rule_text(rule: pb.FinalRule) -> str:
    """«среднее арифметическое, округление по правилам … (версия 1 с 01.01.2000)»."""
    since = date_of(rule.effective_from)
    when = f" с {since:%d.%m.%Y}" if since else ""
    kind = RULE_LABELS.get(RULE_KINDS.name_of(rule.kind), "")
    rounding = ROUNDING_LABELS.get(ROUNDINGS.name_of(rule.rounding), "")
    return f"{kind}, округление {rounding} (версия {rule.version}{when})"


async def period_locks_of(
    request: Request,
    session: Session,
    *,
    group_id: UUID,
    discipline_id: UUID,
    academic_year: jpb.AcademicYear,
    semester: int,
) -> list[LockShown]:
    """The locks (slice B) that hold the period's finals: the semester's and the year's, or the year's
    for the year's final; none when the journal does not answer (it refuses a write in a closed period
    anyway)."""
    span = {1: academic_year.semester1, 2: academic_year.semester2}.get(semester, academic_year.span)
    first, last = date_of(span.starts_on), date_of(span.ends_on)
    if first is None or last is None:
        return []
    try:
        found = await page_locks(
            get_runtime(request).clients,
            session,
            group_id=str(group_id),
            discipline_id=str(discipline_id),
            first=first,
            last=last,
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in SERVICE_DOWN:
            raise
        return []
    holding = {0} if semester == 0 else {0, semester}
    return [lock for lock in found if lock.year_id == academic_year.year_id and lock.semester in holding]


async def finals_page(
    request: Request,
    session: Session,
    group_id: UUID,
    discipline_id: UUID,
    *,
    year: str = "",
    period: str = "",
    saved: str = "",
    problem: FormProblem | None = None,
    problem_student: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    """Render the page for a period and kind; after a refused save, with the refusal at its row."""
    staff_only(session)
    runtime = get_runtime(request)
    clients, token = runtime.clients, session.access_token
    today = today_of(request)
    group_reply, disciplines, years_reply = await asyncio.gather(
        call(clients.journal.GetGroup, pb.GetGroupRequest(group_id=str(group_id)), token),
        call(
            clients.journal.ListDisciplines,
            pb.ListDisciplinesRequest(discipline_ids=[str(discipline_id)]),
            token,
        ),
        call(clients.journal.ListAcademicYears, pb.ListAcademicYearsRequest(), token),
    )
    years = list(years_reply.years)
    academic_year = year_of(years, year, today)
    choices: list[Choice] = []
    rows: list[StudentRow] = []
    rule, allowed, message = "", [], ""
    chosen = ""
    locks: list[LockShown] = []
    if academic_year is None:
        message = "Учебный год ещё не открыт."
    else:
        curriculum = await call(
            clients.journal.GetCurriculum,
            pb.GetCurriculumRequest(group_id=str(group_id), year_id=academic_year.year_id),
            token,
        )
        choices = choices_of(list(curriculum.rows), str(discipline_id))
        chosen = (
            period
            if any(c.value == period for c in choices)
            else default_choice(choices, academic_year, today)
        )
        parsed = parse_choice(chosen)
        if parsed is None:
            message = (
                "Этой дисциплины нет в учебном плане группы на этот год: итоговые оценки не выставляются."
            )
        else:
            semester, kind = parsed
            locks = await period_locks_of(
                request,
                session,
                group_id=group_id,
                discipline_id=discipline_id,
                academic_year=academic_year,
                semester=semester,
            )
            try:
                reply = await call(
                    clients.journal.ProposeFinals,
                    pb.ProposeFinalsRequest(
                        group_id=str(group_id),
                        discipline_id=str(discipline_id),
                        period=jpb.FinalPeriod(
                            year_id=academic_year.year_id, semester=semester, kind=FINAL_KINDS.to_pb(kind)
                        ),
                    ),
                    token,
                )
            except grpc.aio.AioRpcError as exc:
                if exc.code() in SERVICE_DOWN or exc.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
                message = exc.details() or ""
            else:
                rule = rule_text(reply.rule)
                allowed = list(reply.allowed_values)
                names = await people_names(clients, session, [s.student_id for s in reply.students])
                for number, s in enumerate(reply.students, start=1):
                    final = s.final if s.HasField("final") else None
                    rows.append(
                        StudentRow(
                            student_id=s.student_id,
                            name=names.get(s.student_id, f"Обучающийся №{number}"),
                            marks_count=s.marks_count,
                            required_marks=s.required_marks,
                            enough=s.enough_marks,
                            mean=(
                                s.weighted_mean
                                if RULE_KINDS.name_of(reply.rule.kind) == "weighted_mean"
                                else s.mean
                            ),
                            proposed=s.proposed_value,
                            value=final.value if final else "",
                            reason=final.reason if final else "",
                            confirmed=bool(final and final.not_enough_marks_confirmed),
                            final_id=final.final_id if final else "",
                        )
                    )
                rows.sort(key=lambda r: (r.name.startswith("Обучающийся №"), r.name))
    return render(
        request,
        "finals.html",
        session,
        status=problem.status if problem else 200,
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        group_name=group_reply.group.name,
        discipline_name=" ".join(f"{d.code} {d.name}" for d in disciplines.disciplines),
        years=[(y.year_id, y.name) for y in years],
        year_id=academic_year.year_id if academic_year else "",
        choices=choices,
        chosen=chosen,
        rule=rule,
        allowed=allowed,
        value_labels=VALUE_LABELS,
        rows=rows,
        message=message,
        editable=bool(set(session.roles) & EDITORS) and not any(lock.closed for lock in locks),
        period_locks=locks,
        period_teacher="teacher" in session.roles,
        saved=saved,
        problem=problem,
        problem_student=problem_student,
        typed=typed or {},
    )


@router.get("/finals/{group_id}/{discipline_id}")
async def finals(
    request: Request,
    group_id: UUID,
    discipline_id: UUID,
    session: PortalSession,
    *,
    year: str = "",
    period: str = "",
    saved: str = "",
) -> Response:
    """Итоговые оценки группы по дисциплине за семестр или год: предложенные правилом и выставленные."""
    return await finals_page(request, session, group_id, discipline_id, year=year, period=period, saved=saved)


@router.post("/finals/{group_id}/{discipline_id}")
async def set_final(request: Request, group_id: UUID, discipline_id: UUID, session: CsrfSession) -> Response:
    """Выставить итоговую оценку одному обучающемуся (преподаватель дисциплины или администратор)."""
    staff_only(session)
    form = await request.form()
    year, period = str(form.get("year") or "").strip(), str(form.get("period") or "").strip()
    student = str(form.get("student_id") or "").strip()
    typed = {
        "value": str(form.get("value") or "").strip(),
        "reason": str(form.get("reason") or "").strip(),
        "confirm": "1" if form.get("confirm") else "",
    }
    parsed = parse_choice(period)
    problem: FormProblem | None = None
    if parsed is None:
        problem = FormProblem("Выберите период и вид итоговой оценки")
    elif not typed["value"]:
        problem = FormProblem("Выберите итоговую оценку")
    else:
        try:
            semester, kind = parsed
            await call(
                get_runtime(request).clients.journal.SetFinal,
                pb.SetFinalRequest(
                    group_id=str(group_id),
                    discipline_id=str(discipline_id),
                    student_id=student,
                    period=jpb.FinalPeriod(year_id=year, semester=semester, kind=FINAL_KINDS.to_pb(kind)),
                    value=typed["value"],
                    reason=typed["reason"],
                    confirm_not_enough_marks=bool(typed["confirm"]),
                ),
                session.access_token,
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
            if error_code_of(exc) == "not_enough_marks":
                found = (exc.details() or "").split(";")[0]
                problem = FormProblem(
                    f"{found}: отметьте «Подтверждаю: оценок недостаточно» и сохраните ещё раз",
                    status=problem.status,
                )
    if problem is not None:
        return await finals_page(
            request,
            session,
            group_id,
            discipline_id,
            year=year,
            period=period,
            problem=problem,
            problem_student=student,
            typed=typed,
        )
    return RedirectResponse(
        f"/finals/{group_id}/{discipline_id}?year={year}&period={period}&saved={student}", status_code=303
    )


@dataclass(frozen=True)
class TooFew:
    """A discipline with the students below the threshold, named."""

    discipline: str
    weekly_hours: int
    required: int
    students: list[tuple[str, int]]


@router.get("/too-few-marks/{group_id}")
async def too_few_marks(
    request: Request, group_id: UUID, session: PortalSession, *, year: str = "", semester: int = 0
) -> Response:
    """«Мало оценок»: обучающиеся группы, у которых меньше оценок, чем нужно для аттестации (R3.2)."""
    staff_only(session)
    runtime = get_runtime(request)
    clients, token = runtime.clients, session.access_token
    today = today_of(request)
    group_reply, years_reply = await asyncio.gather(
        call(clients.journal.GetGroup, pb.GetGroupRequest(group_id=str(group_id)), token),
        call(clients.journal.ListAcademicYears, pb.ListAcademicYearsRequest(), token),
    )
    years = list(years_reply.years)
    academic_year = year_of(years, year, today)
    listed: list[TooFew] = []
    if academic_year is not None:
        if semester not in (1, 2):
            ends = date_of(academic_year.semester1.ends_on)
            semester = 1 if ends is None or today <= ends else 2
        reply = await call(
            clients.journal.ListStudentsWithTooFewMarks,
            pb.ListStudentsWithTooFewMarksRequest(
                group_id=str(group_id), year_id=academic_year.year_id, semester=semester
            ),
            token,
        )
        names = await people_names(
            clients, session, [s.student_id for d in reply.disciplines for s in d.students]
        )
        found = (
            await call(
                clients.journal.ListDisciplines,
                pb.ListDisciplinesRequest(
                    discipline_ids=sorted({d.discipline_id for d in reply.disciplines})
                ),
                token,
            )
            if reply.disciplines
            else pb.ListDisciplinesResponse()
        )
        titles = {d.discipline_id: f"{d.code} {d.name}" for d in found.disciplines}
        listed = sorted(
            (
                TooFew(
                    titles.get(d.discipline_id, "Дисциплина"),
                    d.weekly_hours,
                    d.required_marks,
                    sorted((names.get(s.student_id, "Обучающийся"), s.marks_count) for s in d.students),
                )
                for d in reply.disciplines
            ),
            key=lambda t: t.discipline,
        )
    return render(
        request,
        "too_few_marks.html",
        session,
        group_id=str(group_id),
        group_name=group_reply.group.name,
        years=[(y.year_id, y.name) for y in years],
        year_id=academic_year.year_id if academic_year else "",
        semester=semester,
        disciplines=listed,
        no_year=academic_year is None,
    )


# «История итоговой оценки» (issue 7 item 6, slice K): the final's first setting and each change — who,
# when, old → new, why, the proposed value and the rule version — for whoever the journal lets read it
# (the student, their parents, the student's teachers and class teacher, the administration).
@dataclass(frozen=True)
class FinalEntryShown:
    """One line of a final's history as the page shows it."""

    at: datetime | None
    who: str
    what: str
    before: str
    after: str
    proposed: str
    rule_version: int
    text: str


def _final_label(value: str) -> str:
    return VALUE_LABELS.get(value, value)


def _period_label(final: jpb.Final) -> str:
    kind = KIND_LABELS.get(FINAL_KINDS.name_of(final.period.kind), "итоговая оценка")
    return kind if final.period.semester == 0 else f"{kind}, {final.period.semester}-й семестр"


@router.get("/final-history/{final_id}")
async def final_history(request: Request, final_id: UUID, session: PortalSession) -> Response:
    """История итоговой оценки: кто, когда, было → стало, почему."""
    clients, token = get_runtime(request).clients, session.access_token
    reply = await call(
        clients.journal.GetFinalHistory, pb.GetFinalHistoryRequest(final_id=str(final_id)), token
    )
    final = reply.final
    names = await people_names(clients, session, [final.student_id, *(e.changed_by for e in reply.entries)])
    found = await names_if_available(
        call(
            clients.journal.ListDisciplines,
            pb.ListDisciplinesRequest(discipline_ids=[final.discipline_id]),
            token,
        )
    )

    def who(person: str) -> str:
        if person == session.subject:
            return f"{names[person]} (вы)" if person in names else "Вы"
        return names.get(person, "Сотрудник колледжа")

    entries = [
        FinalEntryShown(
            at=instant_of(e.changed_at, present=e.HasField("changed_at")),
            who=who(e.changed_by),
            what="Изменена" if e.old_value else "Выставлена",
            before=_final_label(e.old_value) if e.old_value else "не было",
            after=_final_label(e.new_value),
            proposed=_final_label(e.proposed_value),
            rule_version=e.rule_version,
            text=e.reason,
        )
        for e in reply.entries
    ]
    return render(
        request,
        "final_history.html",
        session,
        final=final,
        value=_final_label(final.value),
        student=names.get(final.student_id, "Обучающийся"),
        discipline=" ".join(f"{d.code} {d.name}" for d in (found.disciplines if found else []))
        or "Дисциплина",
        period=_period_label(final),
        entries=entries,
    )


# --- «Итоговые оценки» of one student (the student, their parents, whoever reads their diary) -------


@dataclass(frozen=True)
class OwnFinalShown:
    """One final on a student's «Итоговые оценки»."""

    final_id: str
    discipline: str
    period: str
    value: str
    of_record: bool
    set_at: datetime | None


@dataclass(frozen=True)
class FinalsYearShown:
    """A year's finals of a student, by discipline and period."""

    name: str
    finals: list[OwnFinalShown]


@router.get("/diary/{student_id}/finals")
async def student_finals(request: Request, student_id: UUID, session: PortalSession) -> Response:
    """Итоговые оценки обучающегося по учебным годам (сам обучающийся, его родители и все, кто читает
    его дневник): оценка, оценка в документах (экзамен или дифф. зачёт важнее оценки за семестр) и
    «История» каждой."""
    clients, token = get_runtime(request).clients, session.access_token
    student = str(student_id)
    request_finals = pb.GetStudentFinalsRequest(student_id=student)
    reply = await call(clients.journal.GetStudentFinals, request_finals, token)
    named = await people_names(clients, session, [student])
    disciplines = await discipline_labels(request, session, [f.discipline_id for f in reply.finals])
    by_year: dict[str, list[jpb.Final]] = {}
    for final in reply.finals:
        by_year.setdefault(final.period.year_id, []).append(final)
    years = [
        FinalsYearShown(
            f"Учебный год {y.name}",
            [
                OwnFinalShown(
                    final_id=f.final_id,
                    discipline=disciplines.get(f.discipline_id, "Дисциплина"),
                    period=_period_label(f),
                    value=_final_label(f.value),
                    of_record=f.mark_of_record,
                    set_at=instant_of(f.set_at, present=f.HasField("set_at")),
                )
                for f in sorted(
                    by_year[y.year_id],
                    key=lambda f: (disciplines.get(f.discipline_id, ""), f.period.semester, f.period.kind),
                )
            ],
        )
        for y in reply.years
        if y.year_id in by_year
    ]
    return render(
        request,
        "student_finals.html",
        session,
        student_id=student,
        student_name=named.get(student, ""),
        own=student == session.subject,
        years=years,
    )
