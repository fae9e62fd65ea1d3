"""Portal pages of a group's plan, corrected by hand after the year's import: «Нагрузка группы»,
«Расписание группы» and «Учебный план группы».

The administration reads them; only the admin gets the forms (the journal decides again on every
write). The timetable and the curriculum are edited as one form of rows sent whole (SetGroupTimetable,
SetCurriculum replace the semester's or the year's rows at once); a refusal that names a row
(«Занятие №N», «Строка №N») marks that row and repeats the message under it, and every typed value
stays in place, also when the journal does not answer (503).

The load and curriculum forms offer every discipline of the college (FindDisciplines, up to 200 by code;
a brand-new group gets its first load by hand), the timetable's those the group already has (its loads,
subgroups and curricula). An admin removes a load with «Снять» (RemoveTeachingLoad); the journal's refusal
(recorded lessons, the timetable) is shown next to that load.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import grpc
from chassis.errors import PermissionDenied
from chassis.grpc_client import error_code_of
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.academic_year import AcademicYearOut, year_out
from gateway.resources.bell_schedule import BellPairOut, schedule_out
from gateway.resources.curriculum import CONTROL_FORMS
from gateway.resources.timetable import PARITIES
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.format import discipline_label
from gateway.web.people import PersonChoice, names_of, teachers_named
from gateway.web.year import SERVICE_DOWN, FormProblem, reader, render, service_problem

router = APIRouter()

WEEKDAYS: dict[int, str] = {
    1: "Понедельник",
    2: "Вторник",
    3: "Среда",
    4: "Четверг",
    5: "Пятница",
    6: "Суббота",
}
# Keyed by the proto's values, so a parity or a control form added there without a label fails the tests.
PARITY_LABELS: dict[str, str] = {
    PARITIES.name_of(pb.WEEK_PARITY_EVERY): "каждую неделю",
    PARITIES.name_of(pb.WEEK_PARITY_ODD): "нечётные недели",
    PARITIES.name_of(pb.WEEK_PARITY_EVEN): "чётные недели",
}
RU_CONTROL_FORMS: dict[str, str] = {
    "CONTROL_FORM_NONE": "нет",
    "CONTROL_FORM_EXAM": "Экзамен",
    "CONTROL_FORM_DIFFERENTIATED_CREDIT": "Дифференцированный зачёт",
    "CONTROL_FORM_CREDIT": "Зачёт",
    "CONTROL_FORM_COURSE_WORK": "Курсовая работа (проект)",
    "CONTROL_FORM_MODULE_EXAM": "Экзамен по модулю",
    "CONTROL_FORM_DEMONSTRATION_EXAM": "Демонстрационный экзамен",
    "CONTROL_FORM_COMPLEX_EXAM": "Комплексный экзамен",
}
CONTROL_FORM_LABELS: dict[str, str] = {
    CONTROL_FORMS.name_of(value): RU_CONTROL_FORMS[name]
    for name, value in pb.ControlForm.items()
    if name in RU_CONTROL_FORMS
}
MAX_ENTRIES = 200  # SetGroupTimetable's limit
MAX_CURRICULUM_ROWS = 300  # SetCurriculum's limit
MAX_CATALOGUE = 200  # FindDisciplines' page: the college's disciplines offered in the forms
EMPTY_ROWS = 4  # blank rows offered under the stored ones
ENTRY_OF_MESSAGE = re.compile(r"Занятие №([0-9]+)")
ROW_OF_MESSAGE = re.compile(r"Строка №([0-9]+)")
ENTRY_FIELDS = ("weekday", "pair", "parity", "discipline", "subgroup", "teacher", "room")
CURRICULUM_FIELDS = ("discipline", "semester", "total", "weekly", "control")
LOAD_FIELDS = ("discipline_id", "subgroup_id", "teacher_id")
# The journal's error codes → the fields of the refused row (timetable, curriculum) or form (load).
ENTRY_FIELDS_OF_CODE: dict[str, tuple[str, ...]] = {
    "invalid_weekday": ("weekday",),
    "pair_not_found": ("pair",),
    "invalid_room": ("room",),
    "discipline_not_found": ("discipline",),
    "subgroup_not_found": ("subgroup",),
    "subgroup_of_other_group": ("subgroup",),
    "teacher_has_no_load": ("teacher", "discipline", "subgroup"),
    "timetable_group_clash": ("weekday", "pair", "parity"),
    "timetable_teacher_clash": ("teacher", "weekday", "pair"),
}
ROW_FIELDS_OF_CODE: dict[str, tuple[str, ...]] = {
    "invalid_semester": ("semester",),
    "invalid_total_hours": ("total",),
    "invalid_weekly_hours": ("weekly",),
    "invalid_control_form": ("control",),
    "duplicate_curriculum_row": ("discipline", "semester"),
    "discipline_not_found": ("discipline",),
}
LOAD_FIELDS_OF_CODE: dict[str, str] = {
    "discipline_not_found": "discipline_id",
    "invalid_discipline_id": "discipline_id",
    "subgroup_not_found": "subgroup_id",
    "invalid_subgroup_id": "subgroup_id",
    "subgroup_of_other_discipline": "subgroup_id",
    "person_not_found": "teacher_id",
    "person_not_teacher": "teacher_id",
    "invalid_teacher_id": "teacher_id",
}

Row = dict[str, str]  # a form row's fields as typed


class PlanAdminOnly(PermissionDenied):
    """Only the admin corrects a group's load, timetable and curriculum."""

    def __init__(self) -> None:
        super().__init__(
            "Изменять нагрузку, расписание и учебный план группы может только администратор",
            code="admin_only",
        )


@dataclass
class RowProblem(FormProblem):
    """A refusal that may name one row of the form (its number, from 1)."""

    row: int | None = None


@dataclass
class GroupPlan:
    """What the three pages show of a group: its name, loads, subgroups and the names they need."""

    group_name: str = ""
    loads: list[journal_pb2.TeachingLoad] = field(default_factory=list)
    subgroups: dict[str, journal_pb2.Subgroup] = field(default_factory=dict)
    disciplines: dict[str, str] = field(default_factory=dict)
    teachers: dict[str, str] = field(default_factory=dict)
    years: list[AcademicYearOut] = field(default_factory=list)
    available: bool = True
    # True when the college has more disciplines than the forms offer (MAX_CATALOGUE).
    catalogue_cut: bool = False


async def _journal(request: Request, session: Session, rpc: str, message: Any) -> Any:
    return await call(getattr(get_runtime(request).clients.journal, rpc), message, session.access_token)


async def discipline_labels(request: Request, session: Session, ids: list[str]) -> dict[str, str]:
    """Return «код — название» of the disciplines by id, ordered by label."""
    wanted = [i for i in dict.fromkeys(ids) if i]
    if not wanted:
        return {}
    reply = await _journal(
        request, session, "ListDisciplines", pb.ListDisciplinesRequest(discipline_ids=wanted)
    )
    labels = {d.discipline_id: discipline_label(d) for d in reply.disciplines}
    return dict(sorted(labels.items(), key=lambda item: item[1]))


async def with_catalogue(
    request: Request, session: Session, labels: dict[str, str]
) -> tuple[dict[str, str], bool]:
    """Return the labels with every discipline of the college added (ordered by label), and whether the
    college has more than MAX_CATALOGUE of them."""
    reply = await _journal(
        request, session, "FindDisciplines", pb.FindDisciplinesRequest(page_size=MAX_CATALOGUE)
    )
    labels = {**labels, **{d.discipline_id: discipline_label(d) for d in reply.disciplines}}
    return dict(sorted(labels.items(), key=lambda item: item[1])), reply.truncated


async def group_plan(
    request: Request,
    session: Session,
    group_id: str,
    *,
    curricula: bool = True,
    refused: bool = False,
    catalogue: bool = False,
) -> GroupPlan:
    """Return the group with its loads and subgroups named; with `catalogue`, every discipline of the
    college among the labels; with `refused`, a journal that does not answer gives an empty plan instead
    of the error page (the typed form matters more)."""
    plan = GroupPlan()
    try:
        group, loads, subgroups, years = await asyncio.gather(
            _journal(request, session, "GetGroup", pb.GetGroupRequest(group_id=group_id)),
            _journal(request, session, "ListTeachingLoads", pb.ListTeachingLoadsRequest(group_id=group_id)),
            _journal(request, session, "ListSubgroups", pb.ListSubgroupsRequest(group_id=group_id)),
            _journal(request, session, "ListAcademicYears", pb.ListAcademicYearsRequest()),
        )
        plan.group_name = group.group.name
        plan.loads = list(loads.loads)
        plan.subgroups = {s.subgroup_id: s for s in subgroups.subgroups}
        plan.years = [year_out(y) for y in years.years]
        discipline_ids = [load.discipline_id for load in plan.loads]
        discipline_ids += [s.discipline_id for s in plan.subgroups.values()]
        if curricula:
            plans = await asyncio.gather(
                *(
                    _journal(
                        request,
                        session,
                        "GetCurriculum",
                        pb.GetCurriculumRequest(group_id=group_id, year_id=y.year_id),
                    )
                    for y in plan.years
                )
            )
            discipline_ids += [row.discipline_id for reply in plans for row in reply.rows]
        plan.disciplines = await discipline_labels(request, session, discipline_ids)
        if catalogue:
            plan.disciplines, plan.catalogue_cut = await with_catalogue(request, session, plan.disciplines)
    except grpc.aio.AioRpcError as exc:
        if not refused or exc.code() not in SERVICE_DOWN:
            raise
        plan.available = False
    plan.teachers = await names_of(request, session, [load.teacher_id for load in plan.loads])
    return plan


def chosen_year(years: list[AcademicYearOut], year_id: str | None) -> AcademicYearOut | None:
    """Return the year asked for, else the newest."""
    return next((y for y in years if y.year_id == year_id), years[0] if years and not year_id else None)


def subgroup_labels(plan: GroupPlan) -> dict[str, str]:
    """Return «дисциплина: подгруппа» by subgroup id."""
    return {
        s.subgroup_id: f"{plan.disciplines.get(s.discipline_id, 'дисциплина')}: {s.name}"
        for s in plan.subgroups.values()
    }


def numbered(
    problem: FormProblem, pattern: re.Pattern[str], fields_of_code: dict[str, tuple[str, ...]], code: str
) -> RowProblem:
    """Return the journal's refusal with the row its message names and that row's fields marked."""
    match = pattern.search(problem.message)
    row = int(match.group(1)) if match else None
    fields = set(problem.fields)
    if row is not None:
        fields |= {f"{name}_{row}" for name in fields_of_code.get(code, ())}
    return RowProblem(problem.message, fields, problem.status, row)


# -- «Нагрузка группы» ------------------------------------------------------------------------------


async def loads_page(
    request: Request,
    session: Session,
    group_id: str,
    *,
    typed: dict[str, str] | None = None,
    problem: FormProblem | None = None,
    saved: bool = False,
    teacher_query: str = "",
    removed: bool = False,
    removal: tuple[str, FormProblem] | None = None,
) -> Response:
    """Render «Нагрузка группы»: the loads (for the admin each with «Снять», a refused removal's message
    next to its load), and for the admin the teacher search and the form to add one."""
    can_edit = reader(session)
    refused = problem is not None or removal is not None
    plan = await group_plan(request, session, group_id, refused=refused, catalogue=can_edit)
    typed = typed or dict.fromkeys(LOAD_FIELDS, "")
    found: list[PersonChoice] = []
    search_problem: FormProblem | None = None
    if teacher_query and can_edit:
        found, search_problem = await teachers_named(request, session, teacher_query)
    teacher_options = {p.person_id: p.label for p in found}
    if typed["teacher_id"] and typed["teacher_id"] not in teacher_options:
        teacher_options[typed["teacher_id"]] = (await names_of(request, session, [typed["teacher_id"]])).get(
            typed["teacher_id"], "выбранный преподаватель"
        )
    return render(
        request,
        "group_loads.html",
        session,
        status=problem.status if problem else removal[1].status if removal else 200,
        group_id=group_id,
        plan=plan,
        can_edit=can_edit,
        subgroup_labels=subgroup_labels(plan),
        typed=typed,
        problem=problem,
        saved=saved,
        teacher_query=teacher_query,
        found=found,
        search_problem=search_problem,
        teacher_options=teacher_options,
        removed=removed,
        removal_load=removal[0] if removal else "",
        removal_problem=removal[1] if removal else None,
    )


@router.get("/groups/{group_id}/loads")
async def group_loads(
    request: Request,
    group_id: UUID,
    session: PortalSession,
    *,
    saved: bool = False,
    teacher_query: str = "",
    removed: bool = False,
) -> Response:
    """Нагрузка группы: дисциплина, подгруппа, преподаватель; с `teacher_query` — ещё и найденные по
    имени преподаватели для новой нагрузки."""
    return await loads_page(
        request,
        session,
        str(group_id),
        saved=saved,
        teacher_query=teacher_query.strip()[:100],
        removed=removed,
    )


@router.post("/groups/{group_id}/loads/{load_id}/remove")
async def remove_load(request: Request, group_id: UUID, load_id: UUID, session: CsrfSession) -> Response:
    """Снять нагрузку; при отказе журнала (занятия уже записаны, нагрузка в расписании) — сообщение у этой
    нагрузки."""
    if not reader(session):
        raise PlanAdminOnly()
    try:
        await _journal(
            request, session, "RemoveTeachingLoad", pb.RemoveTeachingLoadRequest(load_id=str(load_id))
        )
    except grpc.aio.AioRpcError as exc:
        removal = (str(load_id), service_problem(exc))
        return await loads_page(request, session, str(group_id), removal=removal)
    return RedirectResponse(f"/groups/{group_id}/loads?removed=1", status_code=303)


def load_problem(typed: dict[str, str]) -> FormProblem | None:
    """Return what is missing or malformed in the form to add a load (in Russian)."""
    for name, message in (
        ("discipline_id", "Выберите дисциплину"),
        ("teacher_id", "Выберите преподавателя: найдите его по имени формой выше"),
    ):
        if not typed[name]:
            return FormProblem(message, {name})
    for name in LOAD_FIELDS:
        if typed[name]:
            try:
                UUID(typed[name])
            except ValueError:
                return FormProblem("Выберите значение из списка", {name})
    return None


@router.post("/groups/{group_id}/loads")
async def assign_load(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Назначить нагрузку группе; при отказе — форма с сообщением и выбранными значениями."""
    if not reader(session):
        raise PlanAdminOnly()
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in LOAD_FIELDS}
    problem = load_problem(typed)
    if problem is None:
        try:
            await _journal(
                request,
                session,
                "AssignTeachingLoad",
                pb.AssignTeachingLoadRequest(
                    group_id=str(group_id),
                    discipline_id=typed["discipline_id"],
                    subgroup_id=typed["subgroup_id"],
                    teacher_id=typed["teacher_id"],
                ),
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
            name = LOAD_FIELDS_OF_CODE.get(error_code_of(exc))
            if name:
                problem.fields.add(name)
        else:
            return RedirectResponse(f"/groups/{group_id}/loads?saved=1", status_code=303)
    return await loads_page(request, session, str(group_id), typed=typed, problem=problem)


# -- «Расписание группы» ----------------------------------------------------------------------------


def semester_of(text: str | None) -> int:
    """Return the semester asked for, 1 unless it is «2»."""
    return 2 if (text or "").strip() == "2" else 1


def entry_row(entry: pb.TimetableEntry) -> Row:
    """Return a stored entry as the form's row."""
    return {
        "weekday": str(entry.weekday),
        "pair": str(entry.pair_number),
        "parity": PARITIES.name_of(entry.parity) if entry.parity else "every",
        "discipline": entry.discipline_id,
        "subgroup": entry.subgroup_id,
        "teacher": entry.teacher_id,
        "room": entry.room,
    }


def typed_rows(form: FormData, names: tuple[str, ...], limit: int) -> list[Row]:
    """Return the form's filled rows in order; a row of blanks or one ticked «убрать» is no row."""
    rows: list[Row] = []
    for n in range(1, limit + EMPTY_ROWS + 1):
        if form.get(f"remove_{n}"):
            continue
        row = {name: str(form.get(f"{name}_{n}") or "").strip() for name in names}
        if any(value for name, value in row.items() if name != "parity"):
            rows.append(row)
    return rows


def parse_entries(rows: list[Row]) -> tuple[list[pb.TimetableEntry], RowProblem | None]:
    """Return the rows as timetable entries, or the first incomplete or malformed one (in Russian)."""
    if len(rows) > MAX_ENTRIES:
        return [], RowProblem(f"В расписании группы на семестр не больше {MAX_ENTRIES} занятий")
    entries: list[pb.TimetableEntry] = []
    for n, row in enumerate(rows, start=1):
        missing = [
            (name, what)
            for name, what in (
                ("weekday", "день недели"),
                ("pair", "пару"),
                ("discipline", "дисциплину"),
                ("teacher", "преподавателя"),
            )
            if not row[name]
        ]
        if missing:
            return [], RowProblem(
                f"Занятие №{n}: выберите {', '.join(w for _, w in missing)}",
                {f"{name}_{n}" for name, _ in missing},
                row=n,
            )
        if not row["weekday"].isdigit() or not row["pair"].isdigit() or row["parity"] not in PARITY_LABELS:
            return [], RowProblem(
                f"Занятие №{n}: выберите значения из списков", {f"weekday_{n}", f"pair_{n}"}, row=n
            )
        if len(row["room"]) > 32:
            return [], RowProblem(f"Занятие №{n}: аудитория — не больше 32 символов", {f"room_{n}"}, row=n)
        entries.append(
            pb.TimetableEntry(
                weekday=int(row["weekday"]),
                pair_number=int(row["pair"]),
                parity=PARITIES.to_pb(row["parity"]),
                discipline_id=row["discipline"],
                subgroup_id=row["subgroup"],
                teacher_id=row["teacher"],
                room=row["room"],
            )
        )
    return entries, None


async def timetable_page(
    request: Request,
    session: Session,
    group_id: str,
    year_id: str | None,
    semester: int,
    *,
    rows: list[Row] | None = None,
    problem: RowProblem | None = None,
    saved: bool = False,
) -> Response:
    """Render «Расписание группы»: the week grid, and for the admin the rows' form."""
    can_edit = reader(session)
    plan = await group_plan(request, session, group_id, curricula=False, refused=problem is not None)
    year = chosen_year(plan.years, year_id)
    pairs: list[BellPairOut] = []
    entries: list[pb.TimetableEntry] | None = None
    try:
        bells = await _journal(request, session, "GetBellSchedule", pb.GetBellScheduleRequest())
        pairs = schedule_out(list(bells.pairs)).pairs
        if year is not None:
            reply = await _journal(
                request,
                session,
                "GetGroupTimetable",
                pb.GetGroupTimetableRequest(group_id=group_id, year_id=year.year_id, semester=semester),
            )
            entries = list(reply.entries)
    except grpc.aio.AioRpcError as exc:
        if problem is None or exc.code() not in SERVICE_DOWN:
            raise
    if rows is None:
        rows = [entry_row(e) for e in entries or []]
    rows = rows + [dict.fromkeys(ENTRY_FIELDS, "") | {"parity": "every"}] * EMPTY_ROWS
    grid: dict[tuple[int, int], list[pb.TimetableEntry]] = {}
    for entry in entries or []:
        grid.setdefault((entry.pair_number, entry.weekday), []).append(entry)
    teachers = dict(plan.teachers)
    teachers.update(
        await names_of(
            request, session, [e.teacher_id for e in entries or [] if e.teacher_id not in teachers]
        )
    )
    return render(
        request,
        "group_timetable.html",
        session,
        status=problem.status if problem else 200,
        group_id=group_id,
        plan=plan,
        year=year,
        year_id=year.year_id if year else year_id or "",
        semester=semester,
        pairs=pairs,
        entries=entries,
        grid=grid,
        weekdays=WEEKDAYS,
        parity_labels=PARITY_LABELS,
        # Every week goes without saying in the grid; odd or even weeks are named.
        parity_of=lambda value: (
            ""
            if value in (pb.WEEK_PARITY_UNSPECIFIED, pb.WEEK_PARITY_EVERY)
            else PARITY_LABELS.get(PARITIES.name_of(value), "")
        ),
        subgroup_labels=subgroup_labels(plan),
        load_teachers={
            load.teacher_id: teachers.get(load.teacher_id, "преподаватель") for load in plan.loads
        },
        teachers=teachers,
        rows=rows,
        can_edit=can_edit,
        problem=problem,
        saved=saved,
    )


@router.get("/groups/{group_id}/timetable")
async def group_timetable(
    request: Request,
    group_id: UUID,
    session: PortalSession,
    *,
    year_id: str | None = None,
    semester: str | None = None,
    saved: bool = False,
) -> Response:
    """Расписание группы на семестр учебного года (по умолчанию — последний год, 1 семестр)."""
    return await timetable_page(request, session, str(group_id), year_id, semester_of(semester), saved=saved)


@router.post("/groups/{group_id}/timetable")
async def set_timetable(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Заменить расписание группы на семестр; при отказе — строка с сообщением и введённые значения."""
    if not reader(session):
        raise PlanAdminOnly()
    form = await request.form()
    year_id = str(form.get("year_id") or "").strip()
    semester = semester_of(str(form.get("semester") or ""))
    # The filled rows first, in the typed order: the journal's «Занятие №N» is then the row's number.
    rows = typed_rows(form, ENTRY_FIELDS, MAX_ENTRIES)
    entries, problem = parse_entries(rows)
    if problem is None:
        try:
            await _journal(
                request,
                session,
                "SetGroupTimetable",
                pb.SetGroupTimetableRequest(
                    group_id=str(group_id), year_id=year_id, semester=semester, entries=entries
                ),
            )
        except grpc.aio.AioRpcError as exc:
            problem = numbered(
                service_problem(exc), ENTRY_OF_MESSAGE, ENTRY_FIELDS_OF_CODE, error_code_of(exc)
            )
        else:
            return RedirectResponse(
                f"/groups/{group_id}/timetable?year_id={year_id}&semester={semester}&saved=1", status_code=303
            )
    return await timetable_page(
        request, session, str(group_id), year_id, semester, rows=rows, problem=problem
    )


# -- «Учебный план группы» --------------------------------------------------------------------------


def curriculum_row(row: pb.CurriculumRow) -> Row:
    """Return a stored curriculum row as the form's row."""
    return {
        "discipline": row.discipline_id,
        "semester": str(row.semester),
        "total": str(row.total_hours),
        "weekly": str(row.weekly_hours),
        "control": CONTROL_FORMS.name_of(row.control_form) if row.control_form else "",
    }


def number_of(text: str) -> int | None:
    """Return a typed whole number, or None."""
    return int(text) if text.isdigit() and len(text) <= 5 else None


def parse_curriculum(rows: list[Row]) -> tuple[list[pb.CurriculumRow], RowProblem | None]:
    """Return the rows for SetCurriculum, or the first incomplete or malformed one (in Russian)."""
    if len(rows) > MAX_CURRICULUM_ROWS:
        return [], RowProblem(f"В учебном плане группы на год не больше {MAX_CURRICULUM_ROWS} строк")
    parsed: list[pb.CurriculumRow] = []
    for n, row in enumerate(rows, start=1):
        total, weekly = number_of(row["total"]), number_of(row["weekly"])
        for name, wrong, message in (
            ("discipline", not row["discipline"], "выберите дисциплину"),
            ("semester", row["semester"] not in ("1", "2"), "семестр — 1 или 2"),
            ("total", total is None, "всего часов — целое число"),
            ("weekly", weekly is None, "часов в неделю — целое число"),
            ("control", row["control"] not in CONTROL_FORM_LABELS, "выберите форму контроля (или «нет»)"),
        ):
            if wrong:
                return [], RowProblem(f"Строка №{n}: {message}", {f"{name}_{n}"}, row=n)
        parsed.append(
            pb.CurriculumRow(
                discipline_id=row["discipline"],
                semester=int(row["semester"]),
                total_hours=total or 0,
                weekly_hours=weekly or 0,
                control_form=CONTROL_FORMS.to_pb(row["control"]),
            )
        )
    return parsed, None


async def curriculum_page(
    request: Request,
    session: Session,
    group_id: str,
    year_id: str | None,
    *,
    rows: list[Row] | None = None,
    problem: RowProblem | None = None,
    saved: bool = False,
) -> Response:
    """Render «Учебный план группы»: the year's rows, and for the admin the rows' form."""
    can_edit = reader(session)
    plan = await group_plan(
        request, session, group_id, refused=problem is not None, catalogue=reader(session)
    )
    year = chosen_year(plan.years, year_id)
    stored: list[pb.CurriculumRow] | None = None
    if year is not None and plan.available:
        try:
            reply = await _journal(
                request,
                session,
                "GetCurriculum",
                pb.GetCurriculumRequest(group_id=group_id, year_id=year.year_id),
            )
            stored = list(reply.rows)
        except grpc.aio.AioRpcError as exc:
            if problem is None or exc.code() not in SERVICE_DOWN:
                raise
    if rows is None:
        rows = [curriculum_row(r) for r in stored or []]
    rows = rows + [dict.fromkeys(CURRICULUM_FIELDS, "")] * EMPTY_ROWS
    return render(
        request,
        "group_curriculum.html",
        session,
        status=problem.status if problem else 200,
        group_id=group_id,
        plan=plan,
        year=year,
        year_id=year.year_id if year else year_id or "",
        stored=stored,
        rows=rows,
        control_labels=CONTROL_FORM_LABELS,
        control_of=lambda value: CONTROL_FORM_LABELS.get(CONTROL_FORMS.name_of(value), "—") if value else "—",
        can_edit=can_edit,
        problem=problem,
        saved=saved,
    )


@router.get("/groups/{group_id}/curriculum")
async def group_curriculum(
    request: Request, group_id: UUID, session: PortalSession, year_id: str | None = None, saved: bool = False
) -> Response:
    """Учебный план группы на учебный год (по умолчанию — последний)."""
    return await curriculum_page(request, session, str(group_id), year_id, saved=saved)


@router.post("/groups/{group_id}/curriculum")
async def set_curriculum(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Заменить учебный план группы на год; при отказе — строка с сообщением и введённые значения."""
    if not reader(session):
        raise PlanAdminOnly()
    form = await request.form()
    year_id = str(form.get("year_id") or "").strip()
    rows = typed_rows(form, CURRICULUM_FIELDS, MAX_CURRICULUM_ROWS)
    parsed, problem = parse_curriculum(rows)
    if problem is None:
        try:
            await _journal(
                request,
                session,
                "SetCurriculum",
                pb.SetCurriculumRequest(group_id=str(group_id), year_id=year_id, rows=parsed),
            )
        except grpc.aio.AioRpcError as exc:
            problem = numbered(service_problem(exc), ROW_OF_MESSAGE, ROW_FIELDS_OF_CODE, error_code_of(exc))
        else:
            return RedirectResponse(
                f"/groups/{group_id}/curriculum?year_id={year_id}&saved=1", status_code=303
            )
    return await curriculum_page(request, session, str(group_id), year_id, rows=rows, problem=problem)
