"""Opening a year from an XLSX workbook, and copying a year's structure into the next (R2.1).

The import reads every row of every sheet (`domain.year_import`), checks each against the database and
the other rows with the rules of the single RPCs, and then writes everything in one transaction —
or nothing when any row is refused, returning every refused row. The events are those of the single
writes (group created or updated, load assigned, calendar set, bells set), so followers see the same
facts whichever way the year was opened.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from chassis.errors import DomainError
from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.ports import JournalUnitOfWork, PersonDirectory, Today, UnitOfWorkFactory
from journal_service.domain import (
    access,
    curriculum,
    errors,
    ktp,
    lesson_errors,
    model,
    timetable,
    year,
    year_errors,
)
from journal_service.domain import year_import as wb
from journal_service.domain.people import require_teacher
from journal_service.domain.year_import_errors import SameYear, YearNotEmpty

# People asked of identity per call (its ListPersonRoles takes up to 1,000 ids).
IDENTITY_BATCH = 500
SHEET_ORDER = {spec.name: index for index, spec in enumerate(wb.SHEETS)}


@dataclass(frozen=True)
class ImportYearWorkbook:
    """Import the year's structure from the workbook's sheets (as the adapter read them)."""

    year_id: uuid.UUID
    # Reads the workbook (the XLSX adapter, given by the servicer): called after the access check, in a
    # worker thread, so a large file neither bypasses the check nor stalls the other requests.
    read_sheets: Callable[[], Sequence[wb.RawSheet]]
    dry_run: bool


@dataclass(frozen=True)
class CopyYearStructure:
    """Copy a year's structure into an empty year."""

    from_year_id: uuid.UUID
    to_year_id: uuid.UUID


@dataclass
class SheetSummary:
    """What one sheet holds: rows read, and how many create, change or repeat what is there."""

    sheet: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """The outcome: written or not, each sheet's counts, every refused row."""

    imported: bool
    sheets: list[SheetSummary]
    errors: list[wb.RowError]


@dataclass
class _Plan:
    """What the import would write, decided row by row before anything is written."""

    new_groups: list[model.Group] = field(default_factory=list)
    changed_groups: list[tuple[model.Group, year.GroupAttributes]] = field(default_factory=list)
    new_disciplines: list[model.Discipline] = field(default_factory=list)
    new_loads: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)
    calendars: dict[str, list[year.CalendarSpan]] = field(default_factory=dict)
    curricula: dict[uuid.UUID, list[curriculum.CurriculumRow]] = field(default_factory=dict)
    timetables: dict[tuple[uuid.UUID, int], list[timetable.TimetableEntry]] = field(default_factory=dict)
    ktps: list[tuple[ktp.Ktp, ktp.Ktp | None]] = field(default_factory=list)
    bells: list[year.BellPair] | None = None


def _attributes_change(group: model.Group, attributes: year.GroupAttributes) -> bool:
    """Tell whether setting these attributes would change the group."""
    changed = model.Group(
        id=group.id,
        name=group.name,
        course_year=group.course_year,
        specialty_code=group.specialty_code,
        specialty_name=group.specialty_name,
        study_form=group.study_form,
        class_teacher_id=group.class_teacher_id,
    )
    changed.apply(attributes)
    return changed != group


def _refusal(sheet: str, row: int, column: str, refused: DomainError) -> wb.RowError:
    return wb.RowError(sheet, row, column, refused.code, refused.message)


def group_updated_event(group: model.Group) -> events.GroupUpdated:
    """The GroupUpdated event of a group as it is now."""
    return events.GroupUpdated(
        group_id=str(group.id),
        course_year=group.course_year or 0,
        specialty_code=group.specialty_code,
        study_form=jpb.StudyForm.Value(f"STUDY_FORM_{group.study_form.name}")
        if group.study_form
        else jpb.STUDY_FORM_UNSPECIFIED,
        class_teacher_id=str(group.class_teacher_id or ""),
    )


class YearImportHandlers:
    """Use cases of opening a year in bulk: the XLSX import, its template, the copy of a year."""

    def __init__(self, uow: UnitOfWorkFactory, directory: PersonDirectory, today: Today) -> None:
        self._uow = uow
        self._directory = directory
        self._today = today

    def template(self, actor: Principal) -> None:
        """Allow the administration to download the template (it holds no data)."""
        if not actor.has_any(*access.READ_ALL_ROLES):
            raise errors.RoleRequired("шаблон открытия года доступен администрации")

    async def import_workbook(self, cmd: ImportYearWorkbook, actor: Principal) -> ImportReport:
        """Check every row, then write all of it in one transaction, or nothing (admin)."""
        access.require_admin(actor, "учебный год открывает администратор")
        workbook, refused = wb.read_workbook(await asyncio.to_thread(cmd.read_sheets))
        roles = await self._roles(
            {g.attributes.class_teacher_id for g in workbook.groups if g.attributes.class_teacher_id}
            | {load.teacher_id for load in workbook.loads}
            | {entry.teacher_id for entry in workbook.timetable}
        )
        summaries = {
            name: SheetSummary(name, rows=workbook.rows_read.get(name, 0)) for name in workbook.sheets
        }
        async with self._uow() as uow:
            academic_year = await uow.years.get(cmd.year_id)
            if academic_year is None:
                raise year_errors.AcademicYearNotFound()
            plan = await self._plan(
                uow, workbook, academic_year=academic_year, roles=roles, summaries=summaries, refused=refused
            )
            refused.sort(key=lambda e: (SHEET_ORDER.get(e.sheet, len(SHEET_ORDER)), e.row))
            if refused or cmd.dry_run:
                return ImportReport(False, list(summaries.values()), refused)
            await self._write(uow, plan, academic_year, actor)
            await uow.commit()
            return ImportReport(True, list(summaries.values()), [])

    async def _roles(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        """The roles of the people the workbook names: from the projection; the rest asked of identity
        in a few batched calls and remembered in one transaction (a person identity does not know is
        None: `person_not_found`)."""
        async with self._uow() as uow:
            known: dict[uuid.UUID, str | None] = dict(await uow.year_import.roles_of(person_ids))
        missing = sorted(set(person_ids) - set(known))
        found: dict[uuid.UUID, str] = {}
        for start in range(0, len(missing), IDENTITY_BATCH):
            found.update(await self._directory.roles_of(missing[start : start + IDENTITY_BATCH]))
        if found:
            async with self._uow() as uow:
                await uow.people.remember(list(found.items()))
                await uow.commit()
        return {**known, **{person_id: found.get(person_id) for person_id in missing}}

    async def _plan(
        self,
        uow: JournalUnitOfWork,
        workbook: wb.Workbook,
        *,
        academic_year: year.AcademicYear,
        roles: dict[uuid.UUID, str | None],
        summaries: dict[str, SheetSummary],
        refused: list[wb.RowError],
    ) -> _Plan:
        plan = _Plan()
        names = {g.name for g in workbook.groups} | {x.group_name for x in workbook.loads}
        names |= {c.group_name for c in workbook.calendar}
        groups = await uow.year_import.groups_by_name(names)
        codes = {d.code for d in workbook.disciplines} | {x.discipline_code for x in workbook.loads}
        disciplines = await uow.year_import.disciplines_by_code(codes)
        to_create: dict[str, model.Group] = {}

        def teacher_refusal(sheet: str, row: int, column: str, person_id: uuid.UUID) -> bool:
            try:
                require_teacher(roles.get(person_id))
            except DomainError as refusal:
                refused.append(_refusal(sheet, row, column, refusal))
                return True
            return False

        for g in workbook.groups:
            teacher = g.attributes.class_teacher_id
            existing = groups.get(g.name)
            if teacher and teacher_refusal(wb.GROUPS, g.row, "Классный руководитель", teacher):
                # Still a group the other sheets may name: their rows are not refused for it too.
                if existing is None:
                    to_create[g.name] = model.Group(id=uuid.uuid4(), name=g.name)
                continue
            if existing is None:
                group = model.Group(id=uuid.uuid4(), name=g.name)
                group.apply(g.attributes)
                to_create[g.name] = group
                plan.new_groups.append(group)
                summaries[wb.GROUPS].created += 1
            elif _attributes_change(existing, g.attributes):
                plan.changed_groups.append((existing, g.attributes))
                summaries[wb.GROUPS].updated += 1
            else:
                summaries[wb.GROUPS].unchanged += 1
        known_groups = {
            **{name: g.id for name, g in groups.items()},
            **{n: g.id for n, g in to_create.items()},
        }

        new_codes: set[str] = set()
        for d in workbook.disciplines:
            found = disciplines.get(d.code, [])
            if len(found) > 1:
                refused.append(
                    wb.RowError(
                        wb.DISCIPLINES,
                        d.row,
                        "Код",
                        "discipline_code_ambiguous",
                        f"В базе несколько дисциплин с кодом «{d.code}»: исправьте их вручную",
                    )
                )
            elif found and (found[0].name, found[0].kind) != (d.name, d.kind):
                refused.append(
                    wb.RowError(
                        wb.DISCIPLINES,
                        d.row,
                        "Наименование",
                        "discipline_differs",
                        f"Дисциплина с кодом «{d.code}» уже есть под другим наименованием или видом: "
                        f"«{found[0].name[:80]}»",
                    )
                )
            elif found:
                summaries[wb.DISCIPLINES].unchanged += 1
            else:
                plan.new_disciplines.append(
                    model.Discipline(id=uuid.uuid4(), code=d.code, name=d.name, kind=d.kind)
                )
                new_codes.add(d.code)
                summaries[wb.DISCIPLINES].created += 1

        existing_loads = await uow.year_import.loads_in_groups([g.id for g in groups.values()])
        for x in workbook.loads:
            group_id = known_groups.get(x.group_name)
            found = disciplines.get(x.discipline_code, [])
            bad = False
            if group_id is None:
                refused.append(_refusal(wb.LOADS, x.row, "Группа", errors.GroupNotFound()))
                bad = True
            if not found and x.discipline_code not in new_codes:
                refused.append(_refusal(wb.LOADS, x.row, "Код дисциплины", errors.DisciplineNotFound()))
                bad = True
            elif len(found) > 1:
                refused.append(
                    wb.RowError(
                        wb.LOADS,
                        x.row,
                        "Код дисциплины",
                        "discipline_code_ambiguous",
                        f"В базе несколько дисциплин с кодом «{x.discipline_code}»: исправьте их вручную",
                    )
                )
                bad = True
            if teacher_refusal(wb.LOADS, x.row, "Преподаватель", x.teacher_id) or bad:
                continue
            if found and group_id and (x.teacher_id, group_id, found[0].id) in existing_loads:
                summaries[wb.LOADS].unchanged += 1
            else:
                plan.new_loads.append((x.teacher_id, x.group_name, x.discipline_code))
                summaries[wb.LOADS].created += 1

        discipline_ids = {
            **{code: found[0].id for code, found in disciplines.items() if len(found) == 1},
            **{d.code: d.id for d in plan.new_disciplines},
        }
        await self._plan_curricula(
            uow,
            workbook,
            academic_year=academic_year,
            known_groups=known_groups,
            discipline_ids=discipline_ids,
            plan=plan,
            summaries=summaries,
            refused=refused,
        )

        calendars = await uow.year_import.calendars_in_year(academic_year.id) if workbook.calendar else {}
        rows_by_group: dict[str, list[wb.CalendarRow]] = defaultdict(list)
        for c in workbook.calendar:
            try:
                year.check_calendar(academic_year, [c.span])
            except DomainError as refusal:
                # The rule numbers the spans it is given; here the row number says which.
                message = refusal.message.replace("Период №1 графика", "Период")
                column = "Начало" if not academic_year.span.contains(c.span.span.starts_on) else "Окончание"
                refused.append(wb.RowError(wb.CALENDAR, c.row, column, refusal.code, message))
                continue
            if c.group_name not in known_groups:
                refused.append(_refusal(wb.CALENDAR, c.row, "Группа", errors.GroupNotFound()))
                continue
            rows_by_group[c.group_name].append(c)
        for name, rows in rows_by_group.items():
            try:
                spans = year.check_calendar(academic_year, [r.span for r in rows])
            except year_errors.SpansOverlap as refusal:
                ordered = sorted(rows, key=lambda r: _span_key(r.span))
                row = next(
                    b for a, b in itertools.pairwise(ordered) if b.span.span.starts_on <= a.span.span.ends_on
                )
                refused.append(_refusal(wb.CALENDAR, row.row, "Начало", refusal))
                continue
            except DomainError as refusal:
                refused.append(_refusal(wb.CALENDAR, rows[-1].row, "", refusal))
                continue
            plan.calendars[name] = spans
            before = calendars.get(known_groups[name], [])
            summary = summaries[wb.CALENDAR]
            if sorted(before, key=_span_key) == sorted(spans, key=_span_key):
                summary.unchanged += len(rows)
                del plan.calendars[name]
            elif before:
                summary.updated += len(rows)
            else:
                summary.created += len(rows)

        if workbook.bells and not any(e.sheet == wb.BELLS for e in refused):
            try:
                pairs = year.check_bell_schedule([b.pair for b in workbook.bells])
            except year_errors.PairsOverlap as refusal:
                by_number = sorted(workbook.bells, key=lambda b: b.pair.number)
                bell = next(b for a, b in itertools.pairwise(by_number) if b.pair.starts_at < a.pair.ends_at)
                refused.append(_refusal(wb.BELLS, bell.row, "Начало", refusal))
            except DomainError as refusal:
                refused.append(_refusal(wb.BELLS, 0, "", refusal))
            else:
                if pairs == await uow.bells.pairs():
                    summaries[wb.BELLS].unchanged += len(pairs)
                else:
                    plan.bells = pairs
                    summaries[wb.BELLS].updated += len(pairs)
        planned_loads = [
            model.TeachingLoad(uuid.uuid4(), teacher_id, known_groups[name], discipline_ids[code])
            for teacher_id, name, code in plan.new_loads
        ]
        await self._plan_timetables(
            uow,
            workbook,
            academic_year=academic_year,
            known_groups=known_groups,
            discipline_ids=discipline_ids,
            planned_loads=planned_loads,
            roles=roles,
            plan=plan,
            summaries=summaries,
            refused=refused,
        )
        await self._plan_ktps(
            uow, workbook, known_groups=known_groups, discipline_ids=discipline_ids, plan=plan,
            summaries=summaries, refused=refused,
        )  # fmt: skip
        return plan

    async def _plan_ktps(
        self,
        uow: JournalUnitOfWork,
        workbook: wb.Workbook,
        *,
        known_groups: dict[str, uuid.UUID],
        discipline_ids: dict[str, uuid.UUID],
        plan: _Plan,
        summaries: dict[str, SheetSummary],
        refused: list[wb.RowError],
    ) -> None:
        """Each KTP of «КТП» (rows of one group or subgroup and discipline, topics in row order), built by
        `ktp.replace_ktp` over the KTP there: a topic of the same title keeps its id, so the lessons that
        follow it keep it; a topic a lesson follows may not disappear (`ktp_topic_in_use`)."""
        if not workbook.ktp:
            return
        by_key: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None], list[wb.KtpRowIn]] = defaultdict(list)
        subgroups_of: dict[uuid.UUID, list[year.Subgroup]] = {}
        for k in workbook.ktp:
            group_id = known_groups.get(k.group_name)
            discipline_id = discipline_ids.get(k.discipline_code)
            if group_id is None:
                refused.append(_refusal(wb.KTP, k.row, "Группа", errors.GroupNotFound()))
            if discipline_id is None:
                refused.append(_refusal(wb.KTP, k.row, "Код дисциплины", errors.DisciplineNotFound()))
            if group_id is None or discipline_id is None:
                continue
            subgroup_id = None
            if k.subgroup:
                if group_id not in subgroups_of:
                    subgroups_of[group_id] = await uow.subgroups.of_group(group_id)
                subgroup_id = next(
                    (
                        x.id
                        for x in subgroups_of[group_id]
                        if (x.name, x.discipline_id) == (k.subgroup, discipline_id)
                    ),
                    None,
                )
                if subgroup_id is None:
                    refused.append(_refusal(wb.KTP, k.row, "Подгруппа", lesson_errors.SubgroupNotFound()))
                    continue
            draft = ktp.TopicDraft(None, k.title, k.hours, k.kind)
            try:
                ktp.replace_ktp(
                    None, group_id=group_id, subgroup_id=subgroup_id, discipline_id=discipline_id,
                    drafts=[draft], in_use=(),
                )  # fmt: skip
            except DomainError as refusal:
                message = refusal.message.removeprefix("Тема №1: ")
                refused.append(
                    wb.RowError(wb.KTP, k.row, "Часов", refusal.code, message[:1].upper() + message[1:])
                )
                continue
            by_key[(group_id, discipline_id, subgroup_id)].append(k)
        if any(e.sheet == wb.KTP for e in refused):
            # A KTP is its rows in order: with a row refused, the rest would read as topics dropped.
            return
        summary = summaries[wb.KTP]
        for (group_id, discipline_id, subgroup_id), rows in by_key.items():
            previous = await uow.ktps.get(group_id, discipline_id, subgroup_id, lock=True)
            unused = list(previous.topics) if previous is not None else []
            drafts = []
            for k in rows:  # a topic of the same title stays the same topic
                same = next((t for t in unused if t.title == k.title), None)
                if same is not None:
                    unused.remove(same)
                drafts.append(ktp.TopicDraft(same.id if same else None, k.title, k.hours, k.kind))
            in_use = await uow.ktps.topics_in_use([t.id for t in previous.topics]) if previous else set()
            try:
                built = ktp.replace_ktp(
                    previous, group_id=group_id, subgroup_id=subgroup_id, discipline_id=discipline_id,
                    drafts=drafts, in_use=in_use,
                )  # fmt: skip
            except DomainError as refusal:
                refused.append(_refusal(wb.KTP, rows[-1].row, "Тема", refusal))
                continue
            if previous is not None and [(t.id, t.title, t.hours, t.kind) for t in previous.topics] == [
                (t.id, t.title, t.hours, t.kind) for t in built.topics
            ]:
                summary.unchanged += len(rows)
                continue
            plan.ktps.append((built, previous))
            if previous is not None:
                summary.updated += len(rows)
            else:
                summary.created += len(rows)

    async def _plan_curricula(
        self,
        uow: JournalUnitOfWork,
        workbook: wb.Workbook,
        *,
        academic_year: year.AcademicYear,
        known_groups: dict[str, uuid.UUID],
        discipline_ids: dict[str, uuid.UUID],
        plan: _Plan,
        summaries: dict[str, SheetSummary],
        refused: list[wb.RowError],
    ) -> None:
        """Each group's curriculum rows of «Учебный план», checked by `curriculum.check_curriculum`."""
        if not workbook.curriculum:
            return
        by_group: dict[uuid.UUID, list[tuple[int, curriculum.CurriculumRow]]] = defaultdict(list)
        for c in workbook.curriculum:
            group_id = known_groups.get(c.group_name)
            discipline_id = discipline_ids.get(c.discipline_code)
            if group_id is None:
                refused.append(_refusal(wb.CURRICULUM, c.row, "Группа", errors.GroupNotFound()))
            if discipline_id is None:
                refused.append(_refusal(wb.CURRICULUM, c.row, "Код дисциплины", errors.DisciplineNotFound()))
            if group_id is None or discipline_id is None:
                continue
            row = curriculum.CurriculumRow(
                discipline_id, c.semester, c.total_hours, c.weekly_hours, c.control_form
            )
            try:
                curriculum.check_curriculum([row], known_disciplines={discipline_id})
            except DomainError as refusal:
                # The rule numbers the rows it is given; here the spreadsheet's row number says which.
                column = {
                    "invalid_semester": "Семестр",
                    "invalid_total_hours": "Всего часов",
                    "invalid_weekly_hours": "Часов в неделю",
                }.get(refusal.code, "")
                message = refusal.message.removeprefix("Строка №1: ")
                refused.append(wb.RowError(wb.CURRICULUM, c.row, column, refusal.code, message))
                continue
            by_group[group_id].append((c.row, row))
        existing = await uow.year_import.curricula_in_year(academic_year.id)
        summary = summaries[wb.CURRICULUM]
        refused_rows = {e.row for e in refused if e.sheet == wb.CURRICULUM}
        for group_id, numbered in by_group.items():
            if any(number in refused_rows for number, _ in numbered):
                continue  # its rows are refused already (a repeated row, say): the plan is not set
            rows = [row for _, row in numbered]
            try:
                checked = curriculum.check_curriculum(rows, known_disciplines={r.discipline_id for r in rows})
            except DomainError as refusal:
                refused.append(_refusal(wb.CURRICULUM, numbered[-1][0], "", refusal))
                continue
            before = existing.get(group_id, [])
            if set(before) == set(checked):
                summary.unchanged += len(checked)
                continue
            plan.curricula[group_id] = checked
            if before:
                summary.updated += len(checked)
            else:
                summary.created += len(checked)

    async def _plan_timetables(
        self,
        uow: JournalUnitOfWork,
        workbook: wb.Workbook,
        *,
        academic_year: year.AcademicYear,
        known_groups: dict[str, uuid.UUID],
        discipline_ids: dict[str, uuid.UUID],
        planned_loads: list[model.TeachingLoad],
        roles: dict[uuid.UUID, str | None],
        plan: _Plan,
        summaries: dict[str, SheetSummary],
        refused: list[wb.RowError],
    ) -> None:
        """Each group's and semester's entries of «Расписание», checked by `timetable.check_timetable`
        against the loads (the journal's and the workbook's), the bells (the workbook's when it sets
        them), the group's subgroups and the teachers' other pairs in the year — in the journal and in
        the groups of the workbook checked before."""
        if not workbook.timetable:
            return
        if not await uow.timetables.lock_year(academic_year.id):
            raise year_errors.AcademicYearNotFound()
        pairs = [p.number for p in (plan.bells if plan.bells is not None else await uow.bells.pairs())]
        by_key: dict[tuple[uuid.UUID, int], list[tuple[int, timetable.TimetableEntry]]] = defaultdict(list)
        subgroups_of: dict[uuid.UUID, list[year.Subgroup]] = {}
        loads_of: dict[uuid.UUID, list[model.TeachingLoad]] = {}
        for t in workbook.timetable:
            group_id = known_groups.get(t.group_name)
            discipline_id = discipline_ids.get(t.discipline_code)
            bad = False
            if group_id is None:
                refused.append(_refusal(wb.TIMETABLE, t.row, "Группа", errors.GroupNotFound()))
                bad = True
            if discipline_id is None:
                refused.append(_refusal(wb.TIMETABLE, t.row, "Код дисциплины", errors.DisciplineNotFound()))
                bad = True
            try:
                timetable.check_semester(t.semester)
                require_teacher(roles.get(t.teacher_id))
            except DomainError as refusal:
                column = "Семестр" if refusal.code == "invalid_semester" else "Преподаватель"
                refused.append(_refusal(wb.TIMETABLE, t.row, column, refusal))
                bad = True
            if bad or group_id is None or discipline_id is None:
                continue
            if group_id not in subgroups_of:
                subgroups_of[group_id] = await uow.subgroups.of_group(group_id)
                loads_of[group_id] = [
                    *await uow.loads.of_group(group_id),
                    *(x for x in planned_loads if x.group_id == group_id),
                ]
            subgroup_id = None
            if t.subgroup:
                subgroup_id = next(
                    (
                        x.id
                        for x in subgroups_of[group_id]
                        if (x.name, x.discipline_id) == (t.subgroup, discipline_id)
                    ),
                    None,
                )
                if subgroup_id is None:
                    refused.append(
                        _refusal(wb.TIMETABLE, t.row, "Подгруппа", timetable.SubgroupOfOtherGroup())
                    )
                    continue
            entry = timetable.TimetableEntry(
                uuid.uuid4(), group_id, academic_year.id, t.semester, t.weekday, t.pair_number, t.parity,
                discipline_id, subgroup_id, t.teacher_id, t.room,
            )  # fmt: skip
            try:
                timetable.check_timetable(
                    [entry],
                    pairs=pairs,
                    disciplines=[discipline_id],
                    subgroups={x.id: x for x in subgroups_of[group_id]},
                    loads=loads_of[group_id],
                    teachers_elsewhere=[],
                )
            except DomainError as refusal:
                refused.append(_timetable_refusal(t.row, refusal))
                continue
            by_key[(group_id, t.semester)].append((t.row, entry))
        refused_rows = {e.row for e in refused if e.sheet == wb.TIMETABLE}
        summary = summaries[wb.TIMETABLE]
        accepted: dict[int, list[timetable.TimetableEntry]] = defaultdict(
            list
        )  # the workbook's groups so far
        for (group_id, semester), numbered in by_key.items():
            if any(number in refused_rows for number, _ in numbered):
                continue
            entries = [entry for _, entry in numbered]
            others = [
                e
                for e in await uow.timetables.of_teachers(
                    {e.teacher_id for e in entries}, academic_year.id, semester, exclude_group=group_id
                )
                if (e.group_id, semester) not in by_key  # replaced by this workbook
            ]
            others += accepted[semester]
            try:
                checked = timetable.check_timetable(
                    entries,
                    pairs=pairs,
                    disciplines=[e.discipline_id for e in entries],
                    subgroups={x.id: x for x in subgroups_of[group_id]},
                    loads=loads_of[group_id],
                    teachers_elsewhere=others,
                )
            except DomainError as refusal:
                index = (
                    int(match[1]) - 1
                    if (match := _ENTRY_NUMBER.match(refusal.message))
                    else len(numbered) - 1
                )
                refused.append(_timetable_refusal(numbered[min(index, len(numbered) - 1)][0], refusal))
                continue
            accepted[semester] += checked
            plan.timetables[(group_id, semester)] = checked
            before = await uow.timetables.of_group(group_id, academic_year.id, semester)
            if {_entry_key(e) for e in before} == {_entry_key(e) for e in checked}:
                summary.unchanged += len(checked)
                del plan.timetables[(group_id, semester)]
            elif before:
                summary.updated += len(checked)
            else:
                summary.created += len(checked)

    async def _write(
        self, uow: JournalUnitOfWork, plan: _Plan, academic_year: year.AcademicYear, actor: Principal
    ) -> None:
        """Stage every write of the plan with the events of the single RPCs."""
        for group in plan.new_groups:
            uow.groups.add(group)
            await uow.emit(
                events.GroupCreated(
                    group_id=str(group.id), class_teacher_id=str(group.class_teacher_id or "")
                )
            )
        for group, attributes in plan.changed_groups:
            group.apply(attributes)
            await uow.emit(group_updated_event(group))
        for discipline in plan.new_disciplines:
            uow.disciplines.add(discipline)
        await uow.year_import.flush()  # the loads and calendars below refer to these rows
        groups = await uow.year_import.groups_by_name(
            {name for _, name, _ in plan.new_loads} | set(plan.calendars)
        )
        disciplines = await uow.year_import.disciplines_by_code({code for *_, code in plan.new_loads})
        for teacher_id, group_name, code in plan.new_loads:
            load = model.TeachingLoad(
                id=uuid.uuid4(),
                teacher_id=teacher_id,
                group_id=groups[group_name].id,
                discipline_id=disciplines[code][0].id,
            )
            uow.loads.add(load)
            await uow.emit(
                events.TeachingLoadAssigned(
                    load_id=str(load.id),
                    teacher_id=str(load.teacher_id),
                    group_id=str(load.group_id),
                    discipline_id=str(load.discipline_id),
                )
            )
        for name, spans in plan.calendars.items():
            group_id = groups[name].id
            await uow.years.replace_calendar(group_id, academic_year.id, spans)
            await uow.emit(
                events.GroupCalendarSet(
                    group_id=str(group_id), year_id=str(academic_year.id), span_count=len(spans)
                )
            )
        for group_id, rows in plan.curricula.items():
            await uow.curricula.replace(group_id, academic_year.id, rows)
            await uow.emit(
                events.CurriculumSet(
                    group_id=str(group_id), year_id=str(academic_year.id), row_count=len(rows)
                )
            )
        for (group_id, semester), entries in plan.timetables.items():
            await uow.timetables.replace(group_id, academic_year.id, semester, entries)
            await uow.emit(
                events.GroupTimetableSet(
                    group_id=str(group_id),
                    year_id=str(academic_year.id),
                    semester=semester,
                    entry_count=len(entries),
                )
            )
        for built, previous in plan.ktps:
            await uow.ktps.save(built, previous=previous, today=self._today())
            await uow.emit(
                events.KtpSet(
                    ktp_id=str(built.id),
                    group_id=str(built.group_id),
                    subgroup_id=str(built.subgroup_id or ""),
                    discipline_id=str(built.discipline_id),
                    actor_id=actor.subject,
                    topic_count=len(built.topics),
                    total_hours=built.total_hours,
                )
            )
        if plan.bells is not None:
            await uow.bells.replace(plan.bells)
            await uow.emit(events.BellScheduleSet(pair_count=len(plan.bells)))

    async def copy(self, cmd: CopyYearStructure, actor: Principal) -> list[SheetSummary]:
        """Copy a year's structure into an empty year, atomically (admin).

        The groups' calendars move by whole weeks (the distance between the two years' first days),
        clipped to the new year; the curricula and the timetables (by weekday and pair, so no dates to
        move) are copied as they are; groups, disciplines, teaching loads, subgroups, KTPs and the bell
        schedule are not tied to a year and simply stay (ADR 0007).
        """
        access.require_admin(actor, "учебный год открывает администратор")
        if cmd.from_year_id == cmd.to_year_id:
            raise SameYear()
        async with self._uow() as uow:
            source = await uow.years.get(cmd.from_year_id)
            target = await uow.years.get(cmd.to_year_id)
            if source is None or target is None:
                raise year_errors.AcademicYearNotFound()
            if not await uow.year_import.lock_empty_year(target.id):
                raise YearNotEmpty()
            calendar = SheetSummary(wb.CALENDAR)
            for group_id, spans in (await uow.year_import.calendars_in_year(source.id)).items():
                moved = year.check_calendar(target, wb.shift_calendar(spans, source, target))
                if not moved:
                    continue
                await uow.years.replace_calendar(group_id, target.id, moved)
                await uow.emit(
                    events.GroupCalendarSet(
                        group_id=str(group_id), year_id=str(target.id), span_count=len(moved)
                    )
                )
                calendar.rows += len(moved)
                calendar.created += len(moved)
            plan = SheetSummary(wb.CURRICULUM)
            for group_id, rows in (await uow.year_import.curricula_in_year(source.id)).items():
                await uow.curricula.replace(group_id, target.id, rows)
                await uow.emit(
                    events.CurriculumSet(group_id=str(group_id), year_id=str(target.id), row_count=len(rows))
                )
                plan.rows += len(rows)
                plan.created += len(rows)
            lessons = SheetSummary(wb.TIMETABLE)
            for (group_id, semester), entries in (
                await uow.year_import.timetables_in_year(source.id)
            ).items():
                copied = timetable.with_ids(dataclasses.replace(e, year_id=target.id) for e in entries)
                await uow.timetables.replace(group_id, target.id, semester, copied)
                await uow.emit(
                    events.GroupTimetableSet(
                        group_id=str(group_id),
                        year_id=str(target.id),
                        semester=semester,
                        entry_count=len(copied),
                    )
                )
                lessons.rows += len(copied)
                lessons.created += len(copied)
            await uow.commit()
            return [calendar, plan, lessons]


def _span_key(item: year.CalendarSpan) -> tuple[object, ...]:
    return (item.span.starts_on, item.span.ends_on, item.kind.value)


_ENTRY_NUMBER = re.compile(r"^Занятие №(\d+): ")
_TIMETABLE_COLUMNS = {
    "invalid_weekday": "День недели",
    "pair_not_found": "Пара",
    "invalid_room": "Аудитория",
    "discipline_not_found": "Код дисциплины",
    "subgroup_of_other_group": "Подгруппа",
    "teacher_has_no_load": "Преподаватель",
    "timetable_group_clash": "Пара",
    "timetable_teacher_clash": "Преподаватель",
}


def _timetable_refusal(row: int, refusal: DomainError) -> wb.RowError:
    """A timetable rule's refusal for a spreadsheet row: its column, the message without «Занятие №N»."""
    message = _ENTRY_NUMBER.sub("", refusal.message)
    message = message[:1].upper() + message[1:]
    return wb.RowError(wb.TIMETABLE, row, _TIMETABLE_COLUMNS.get(refusal.code, ""), refusal.code, message)


def _entry_key(entry: timetable.TimetableEntry) -> tuple[object, ...]:
    return (
        entry.weekday, entry.pair_number, entry.parity, entry.discipline_id, entry.subgroup_id,
        entry.teacher_id, entry.room,
    )  # fmt: skip
