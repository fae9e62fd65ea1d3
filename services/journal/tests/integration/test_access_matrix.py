"""Who may call what, RPC by RPC and role by role, through the real gRPC servicer and PostgreSQL.

Every refusal the rules of the journal make is a row here, so that deleting any access check fails
a test; the rows that are allowed keep the refusals honest (a call refused for every caller would
pass the refusal rows too). Each case builds its own group, discipline, enrolment and teaching load,
so the refused call would succeed for someone allowed: only the check stands in its way.
"""

from __future__ import annotations

import io
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import asyncpg
import grpc
import pytest
import pytest_asyncio
from chassis.grpc_client import call_metadata, error_code_of
from chassis.testing import LocalIssuer
from devstack.testing import realm_roles
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from ejournal.journal.v1 import period_locks_pb2 as lpb
from openpyxl import Workbook

from .served import Journal

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]
TODAY = date(2026, 10, 15)
REALM_ROLES = realm_roles()
READ_ALL = ("admin", "director", "deputy", "curator")
DENIED, NOT_FOUND, UNAUTHENTICATED = (
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.UNAUTHENTICATED,
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def journal(
    stack_infra: Any, database_templates: dict[str, str], issuer: LocalIssuer
) -> AsyncIterator[Journal]:
    """One journal for the module on its own database; every case makes its own group and people."""
    dsn: str = stack_infra.superuser_dsn
    name = f"t_journal_access_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{database_templates["journal"]}"')
    await conn.close()
    url = dsn.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    try:
        async with Journal.served(url, issuer, today=TODAY, pool_size=10) as journal:
            yield journal
    finally:
        conn = await asyncpg.connect(dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@dataclass
class World:
    """One case's college: the class under test and, beside it, another group and another discipline.

    The group's teacher teaches the discipline to the group the student is enrolled in; one colleague
    teaches another discipline to the same group, another teaches the same discipline to another group
    (which has a student of its own).
    """

    admin: str
    group_id: str
    discipline_id: str
    student: str
    teacher: str
    parent: str
    teacher_of_another_discipline: str
    teacher_in_another_group: str
    # A student and a teacher identity knows, not yet enrolled or given a load.
    new_student: str
    new_teacher: str
    # The group's class teacher (UpdateGroup) and an academic year opened for the case (R2.1).
    class_teacher: str = ""
    year_id: str = ""
    year_first_week: jpb.DateSpan = field(default_factory=jpb.DateSpan)
    # A lesson the group's teacher recorded yesterday, first pair (R2.3).
    lesson_id: str = ""
    # A mark the group's teacher gave the student at that lesson (ChangeMark, RemoveMark).
    mark_id: str = ""
    # The colleague's load: no lesson, mark or timetable entry yet (RemoveTeachingLoad).
    colleague_load_id: str = ""
    # Slice J: the admin's call metadata, for a case's own preparation (two subgroups to move between).
    admin_md: tuple[tuple[str, str], ...] = ()


# Academic years are unique by name: each case and each OpenAcademicYear call takes the next one.
YEARS = itertools.count(2100)


def open_year_request() -> pb.OpenAcademicYearRequest:
    first = next(YEARS)

    def span(start: tuple[int, int, int], end: tuple[int, int, int]) -> jpb.DateSpan:
        return jpb.DateSpan(
            starts_on=LocalDate(year=start[0], month=start[1], day=start[2]),
            ends_on=LocalDate(year=end[0], month=end[1], day=end[2]),
        )

    return pb.OpenAcademicYearRequest(
        name=f"{first}/{first + 1}",
        span=span((first, 9, 1), (first + 1, 8, 31)),
        semester1=span((first, 9, 1), (first, 12, 31)),
        semester2=span((first + 1, 1, 12), (first + 1, 6, 30)),
    )


async def build_world(journal: Journal) -> World:
    admin, parent = str(uuid.uuid4()), str(uuid.uuid4())
    student, teacher = journal.people.new("student"), journal.people.new("teacher")
    colleague, elsewhere = journal.people.new("teacher"), journal.people.new("class_teacher")
    md = call_metadata(journal.issuer.token(admin, ("admin",)))
    stub = journal.stub

    async def group() -> str:
        request = pb.CreateGroupRequest(name=f"Г-{uuid.uuid4().hex[:8]}")
        return str((await stub.CreateGroup(request, metadata=md)).group.group_id)

    async def discipline() -> str:
        request = pb.CreateDisciplineRequest(
            code=f"ОП.{uuid.uuid4().hex[:8]}", name="Математика", kind=jpb.DISCIPLINE_KIND_DISCIPLINE
        )
        return str((await stub.CreateDiscipline(request, metadata=md)).discipline.discipline_id)

    async def load(teacher_id: str, group_id: str, discipline_id: str) -> str:
        request = pb.AssignTeachingLoadRequest(
            teacher_id=teacher_id, group_id=group_id, discipline_id=discipline_id
        )
        return str((await stub.AssignTeachingLoad(request, metadata=md)).load.load_id)

    group_id, other_group_id = await group(), await group()
    discipline_id, other_discipline_id = await discipline(), await discipline()
    await stub.EnrollStudent(pb.EnrollStudentRequest(group_id=group_id, student_id=student), metadata=md)
    other_student = journal.people.new("student")
    await stub.EnrollStudent(
        pb.EnrollStudentRequest(group_id=other_group_id, student_id=other_student), metadata=md
    )
    await load(teacher, group_id, discipline_id)
    colleague_load_id = await load(colleague, group_id, other_discipline_id)
    await load(elsewhere, other_group_id, discipline_id)
    journal.guardians.pairs.add((parent, student))
    class_teacher = journal.people.new("class_teacher")
    attributes = pb.GroupAttributes(class_teacher_id=class_teacher)
    await stub.UpdateGroup(pb.UpdateGroupRequest(group_id=group_id, attributes=attributes), metadata=md)
    year = (await stub.OpenAcademicYear(open_year_request(), metadata=md)).year
    first = year.span.starts_on
    lesson = await stub.RecordLesson(
        pb.RecordLessonRequest(
            group_id=group_id,
            discipline_id=discipline_id,
            lesson_date=LocalDate(year=TODAY.year, month=TODAY.month, day=TODAY.day - 1),
            pair_number=1,
            topic="Пределы",
            kind=jpb.LESSON_KIND_LECTURE,
        ),
        metadata=call_metadata(journal.issuer.token(teacher, ("teacher",))),
    )
    # «Пропуски»: the student missed that lesson, no reason given yet (CorrectAbsenceReasons).
    await stub.RecordAttendance(
        pb.RecordAttendanceRequest(
            lesson_id=lesson.lesson.lesson_id,
            entries=[jpb.AttendanceEntry(student_id=student, status=jpb.ATTENDANCE_STATUS_ABSENT)],
        ),
        metadata=call_metadata(journal.issuer.token(teacher, ("teacher",))),
    )
    return World(
        admin,
        group_id,
        discipline_id,
        student,
        teacher,
        parent,
        colleague,
        elsewhere,
        journal.people.new("student"),
        journal.people.new("teacher"),
        class_teacher=class_teacher,
        year_id=year.year_id,
        year_first_week=jpb.DateSpan(
            starts_on=first, ends_on=LocalDate(year=first.year, month=first.month, day=first.day + 6)
        ),
        lesson_id=lesson.lesson.lesson_id,
        colleague_load_id=colleague_load_id,
        admin_md=md,
        mark_id=(
            await stub.RecordMark(
                pb.RecordMarkRequest(student_id=student, lesson_id=lesson.lesson.lesson_id, value="4"),
                metadata=call_metadata(journal.issuer.token(teacher, ("teacher",))),
            )
        ).mark.mark_id,
    )


# Who calls. A realm role alone is a stranger holding that role: a teacher without any load,
# another student, someone else's parent. The other callers are the people of the case's college.
COLLEAGUE = "a teacher of another discipline in the group"
ELSEWHERE = "a teacher of the discipline in another group"
NOT_A_STUDENT = "the student's id without the student role"
NOT_A_PERSON = "a teacher whose subject is not a person id"
CLASS_TEACHER = "the group's class teacher"
CALLERS: dict[str, Callable[[World], tuple[str, tuple[str, ...]]]] = {
    **{role: (lambda w, role=role: (str(uuid.uuid4()), (role,))) for role in REALM_ROLES},
    "the admin": lambda w: (w.admin, ("admin",)),
    "the group's teacher": lambda w: (w.teacher, ("teacher",)),
    COLLEAGUE: lambda w: (w.teacher_of_another_discipline, ("teacher",)),
    ELSEWHERE: lambda w: (w.teacher_in_another_group, ("teacher",)),
    "the student": lambda w: (w.student, ("student",)),
    NOT_A_STUDENT: lambda w: (w.student, ()),
    NOT_A_PERSON: lambda w: (f"service-account-{uuid.uuid4().hex[:6]}", ("teacher",)),
    "the student's parent": lambda w: (w.parent, ("parent",)),
    CLASS_TEACHER: lambda w: (w.class_teacher, ("class_teacher",)),
}

Call = Callable[[pb_grpc.JournalServiceStub, World, tuple[tuple[str, str], ...]], Awaitable[object]]


def today() -> LocalDate:
    return LocalDate(year=TODAY.year, month=TODAY.month, day=TODAY.day)


# Every RPC with a request that is valid in the case's world: only access stands between it and success.
CALLS: dict[str, Call] = {
    "CreateGroup": lambda s, w, md: s.CreateGroup(
        pb.CreateGroupRequest(name=f"Н-{uuid.uuid4().hex[:8]}"), metadata=md
    ),
    "EnrollStudent": lambda s, w, md: s.EnrollStudent(
        pb.EnrollStudentRequest(group_id=w.group_id, student_id=w.new_student), metadata=md
    ),
    "CreateDiscipline": lambda s, w, md: s.CreateDiscipline(
        pb.CreateDisciplineRequest(
            code=f"МДК.{uuid.uuid4().hex[:8]}", name="Физика", kind=jpb.DISCIPLINE_KIND_MDK
        ),
        metadata=md,
    ),
    "AssignTeachingLoad": lambda s, w, md: s.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(
            teacher_id=w.new_teacher, group_id=w.group_id, discipline_id=w.discipline_id
        ),
        metadata=md,
    ),
    "RecordMark": lambda s, w, md: s.RecordMark(
        pb.RecordMarkRequest(
            student_id=w.student,
            group_id=w.group_id,
            discipline_id=w.discipline_id,
            lesson_date=today(),
            value="5",
        ),
        metadata=md,
    ),
    "ListStudentMarks": lambda s, w, md: s.ListStudentMarks(
        pb.ListStudentMarksRequest(student_id=w.student), metadata=md
    ),
    "ListDisciplines": lambda s, w, md: s.ListDisciplines(
        pb.ListDisciplinesRequest(discipline_ids=[w.discipline_id]), metadata=md
    ),
    "ListGroupStudents": lambda s, w, md: s.ListGroupStudents(
        pb.ListGroupStudentsRequest(group_id=w.group_id), metadata=md
    ),
}
# The academic year's structure (R2.1).
CALLS.update(
    {
        "UpdateGroup": lambda s, w, md: s.UpdateGroup(
            pb.UpdateGroupRequest(group_id=w.group_id, attributes=pb.GroupAttributes(course_year=2)),
            metadata=md,
        ),
        "OpenAcademicYear": lambda s, w, md: s.OpenAcademicYear(open_year_request(), metadata=md),
        "ListAcademicYears": lambda s, w, md: s.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=md),
        "SetGroupCalendar": lambda s, w, md: s.SetGroupCalendar(
            pb.SetGroupCalendarRequest(
                group_id=w.group_id,
                year_id=w.year_id,
                spans=[jpb.CalendarSpan(kind=jpb.CALENDAR_SPAN_KIND_THEORY, span=w.year_first_week)],
            ),
            metadata=md,
        ),
        "GetGroupCalendar": lambda s, w, md: s.GetGroupCalendar(
            pb.GetGroupCalendarRequest(group_id=w.group_id, year_id=w.year_id), metadata=md
        ),
        "SetBellSchedule": lambda s, w, md: s.SetBellSchedule(
            pb.SetBellScheduleRequest(
                pairs=[jpb.BellPair(number=1, starts_at_minute=510, ends_at_minute=600)]
            ),
            metadata=md,
        ),
        "GetBellSchedule": lambda s, w, md: s.GetBellSchedule(pb.GetBellScheduleRequest(), metadata=md),
        "CreateSubgroup": lambda s, w, md: s.CreateSubgroup(
            pb.CreateSubgroupRequest(
                group_id=w.group_id,
                discipline_id=w.discipline_id,
                name=f"подгруппа {uuid.uuid4().hex[:6]}",
                student_ids=[w.student],
            ),
            metadata=md,
        ),
        "ListSubgroups": lambda s, w, md: s.ListSubgroups(
            pb.ListSubgroupsRequest(group_id=w.group_id), metadata=md
        ),
    }
)
# Finding groups by name and reading one (the portal's «Группы»).
CALLS.update(
    {
        "ListGroups": lambda s, w, md: s.ListGroups(pb.ListGroupsRequest(page_size=5), metadata=md),
        "GetGroup": lambda s, w, md: s.GetGroup(pb.GetGroupRequest(group_id=w.group_id), metadata=md),
    }
)
# Anyone but the administration and the teachers is refused the list of groups; a teacher or class
# teacher gets their own groups only (tests/integration/test_group_reads_grpc.py).
GROUP_LIST_REFUSED = ("student", "parent", "service", "the student", NOT_A_STUDENT, "the student's parent")
GROUP_LIST_READERS = (*READ_ALL, "teacher", "class_teacher", "the group's teacher", ELSEWHERE, CLASS_TEACHER)
# Lessons and attendance (R2.3).
CALLS.update(
    {
        "RecordLesson": lambda s, w, md: s.RecordLesson(
            pb.RecordLessonRequest(
                group_id=w.group_id,
                discipline_id=w.discipline_id,
                lesson_date=today(),
                pair_number=1,  # the other cases may leave the bell schedule with this pair only
                topic="Производная",
                kind=jpb.LESSON_KIND_PRACTICAL,
            ),
            metadata=md,
        ),
        "ListLessons": lambda s, w, md: s.ListLessons(
            pb.ListLessonsRequest(
                group_id=w.group_id,
                discipline_id=w.discipline_id,
                from_date=LocalDate(year=TODAY.year, month=TODAY.month, day=1),
                to_date=today(),
            ),
            metadata=md,
        ),
        "RecordAttendance": lambda s, w, md: s.RecordAttendance(
            pb.RecordAttendanceRequest(
                lesson_id=w.lesson_id,
                entries=[
                    jpb.AttendanceEntry(
                        student_id=w.student,
                        status=jpb.ATTENDANCE_STATUS_ABSENT,
                        reason=jpb.ABSENCE_REASON_ILLNESS,
                    )
                ],
            ),
            metadata=md,
        ),
        "GetAttendance": lambda s, w, md: s.GetAttendance(
            pb.GetAttendanceRequest(lesson_id=w.lesson_id), metadata=md
        ),
    }
)
# The timetable and the teacher's day (issue 6, items 1 and 6).
CALLS.update(
    {
        "SetGroupTimetable": lambda s, w, md: s.SetGroupTimetable(
            pb.SetGroupTimetableRequest(
                group_id=w.group_id,
                year_id=w.year_id,
                semester=1,
                entries=[
                    pb.TimetableEntry(
                        weekday=TODAY.isoweekday(),
                        pair_number=1,
                        discipline_id=w.discipline_id,
                        teacher_id=w.teacher,
                    )
                ],
            ),
            metadata=md,
        ),
        "GetGroupTimetable": lambda s, w, md: s.GetGroupTimetable(
            pb.GetGroupTimetableRequest(group_id=w.group_id, year_id=w.year_id, semester=1), metadata=md
        ),
        "GetTeacherDay": lambda s, w, md: s.GetTeacherDay(
            pb.GetTeacherDayRequest(teacher_id=w.teacher, date=today()), metadata=md
        ),
        "ListTeachingLoads": lambda s, w, md: s.ListTeachingLoads(
            pb.ListTeachingLoadsRequest(group_id=w.group_id), metadata=md
        ),
    }
)
LESSON_WRITES = ("RecordLesson", "RecordAttendance")
# The lessons of a group's discipline: the administration, the teacher of the load, the class teacher.
LESSON_READERS = (*READ_ALL, "the group's teacher", CLASS_TEACHER)
YEAR_ADMIN_ONLY = ("UpdateGroup", "OpenAcademicYear", "SetGroupCalendar", "SetBellSchedule", "CreateSubgroup")
# The group's calendar and subgroups: the administration, the group's teachers and its class teacher.
GROUP_READERS = (*READ_ALL, "the group's teacher", COLLEAGUE, CLASS_TEACHER)


# Opening a year from XLSX and copying a year (R2.1): a one-group workbook; a copy into a new year.
def _year_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Группы"
    sheet.append(["Группа"])
    sheet.append([f"И-{uuid.uuid4().hex[:8]}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _copy_year(
    s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> pb.CopyYearStructureResponse:
    try:  # only the admin may open the year to copy into; for anyone else any id will do
        to_year = (await s.OpenAcademicYear(open_year_request(), metadata=md)).year.year_id
    except grpc.aio.AioRpcError:
        to_year = str(uuid.uuid4())
    request = pb.CopyYearStructureRequest(from_year_id=w.year_id, to_year_id=to_year)
    return await s.CopyYearStructure(request, metadata=md)


CALLS.update(
    {
        "ImportYearWorkbook": lambda s, w, md: s.ImportYearWorkbook(
            pb.ImportYearWorkbookRequest(year_id=w.year_id, workbook=_year_workbook()), metadata=md
        ),
        "CopyYearStructure": _copy_year,
        "GetYearImportTemplate": lambda s, w, md: s.GetYearImportTemplate(
            pb.GetYearImportTemplateRequest(), metadata=md
        ),
    }
)

ADMIN_ONLY = ("CreateGroup", "EnrollStudent", "CreateDiscipline", "AssignTeachingLoad")
NOT_ADMIN = [role for role in REALM_ROLES if role != "admin"]
# A caller who may not see the student or the group is not told that it exists: NOT_FOUND.
MAY_NOT_READ = [role for role in REALM_ROLES if role not in READ_ALL]
Row = tuple[str, str, grpc.StatusCode, str]
LESSON_STRANGERS = (*MAY_NOT_READ, COLLEAGUE, ELSEWHERE, "the student", "the student's parent", NOT_A_STUDENT)

# (rpc, caller, status, error code): every refusal the journal's rules make.
REFUSED: list[Row] = [
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in ADMIN_ONLY
        for caller in (*NOT_ADMIN, "the group's teacher", "the student")
    ],
    *[
        ("RecordMark", caller, DENIED, "role_required")
        for caller in (*[r for r in REALM_ROLES if r != "teacher"], "the admin", "the student")
    ],
    *[
        ("RecordMark", caller, DENIED, "not_teaching_this_group")
        for caller in ("teacher", COLLEAGUE, ELSEWHERE)
    ],
    *[
        ("ListStudentMarks", caller, NOT_FOUND, "student_not_found")
        for caller in (*MAY_NOT_READ, ELSEWHERE, NOT_A_STUDENT)
    ],
    *[
        ("ListGroupStudents", caller, NOT_FOUND, "group_not_found")
        for caller in (*MAY_NOT_READ, ELSEWHERE, "the student", "the student's parent")
    ],
    *[
        (rpc, NOT_A_PERSON, DENIED, "person_required")
        for rpc in ("RecordMark", "ListStudentMarks", "ListGroupStudents")
    ],
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in YEAR_ADMIN_ONLY
        for caller in (*NOT_ADMIN, "the group's teacher", "the student", CLASS_TEACHER)
    ],
    *[
        ("ListAcademicYears", caller, DENIED, "role_required")
        for caller in ("student", "parent", "service", "the student", NOT_A_STUDENT, "the student's parent")
    ],
    *[
        (rpc, caller, NOT_FOUND, "group_not_found")
        for rpc in ("GetGroupCalendar", "ListSubgroups")
        for caller in (*MAY_NOT_READ, ELSEWHERE, "the student", "the student's parent", NOT_A_STUDENT)
    ],
    *[(rpc, NOT_A_PERSON, DENIED, "person_required") for rpc in ("GetGroupCalendar", "ListSubgroups")],
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in LESSON_WRITES
        for caller in (*[r for r in REALM_ROLES if r != "teacher"], "the admin", "the student", CLASS_TEACHER)
    ],
    *[
        (rpc, caller, DENIED, "not_teaching_this_group")
        for rpc in LESSON_WRITES
        for caller in ("teacher", COLLEAGUE, ELSEWHERE)
    ],
    *[("ListLessons", caller, NOT_FOUND, "group_not_found") for caller in LESSON_STRANGERS],
    *[("GetAttendance", caller, NOT_FOUND, "lesson_not_found") for caller in LESSON_STRANGERS],
    *[
        (rpc, NOT_A_PERSON, DENIED, "person_required")
        for rpc in ("RecordLesson", "ListLessons", "RecordAttendance", "GetAttendance")
    ],
    *[("ListGroups", caller, DENIED, "role_required") for caller in GROUP_LIST_REFUSED],
    *[
        ("GetGroup", caller, NOT_FOUND, "group_not_found")
        for caller in (*MAY_NOT_READ, ELSEWHERE, "the student", "the student's parent", NOT_A_STUDENT)
    ],
    *[(rpc, NOT_A_PERSON, DENIED, "person_required") for rpc in ("ListGroups", "GetGroup")],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in CALLS],
]

# (rpc, caller): calls that succeed, next to the refusals of the same RPC.
ALLOWED: list[tuple[str, str]] = [
    *[(rpc, "admin") for rpc in ADMIN_ONLY],
    ("RecordMark", "the group's teacher"),
    *[
        ("ListStudentMarks", caller)
        for caller in (*READ_ALL, "the student", "the student's parent", "the group's teacher", COLLEAGUE)
    ],
    *[
        ("ListGroupStudents", caller)
        for caller in (*READ_ALL, "the group's teacher", COLLEAGUE, CLASS_TEACHER)
    ],
    *[("ListDisciplines", caller) for caller in REALM_ROLES],
    *[(rpc, "admin") for rpc in YEAR_ADMIN_ONLY],
    ("ListStudentMarks", CLASS_TEACHER),
    *[("ListAcademicYears", caller) for caller in (*READ_ALL, "teacher", "class_teacher", CLASS_TEACHER)],
    *[(rpc, caller) for rpc in ("GetGroupCalendar", "ListSubgroups") for caller in GROUP_READERS],
    *[("GetBellSchedule", caller) for caller in REALM_ROLES],
    *[(rpc, "the group's teacher") for rpc in LESSON_WRITES],
    *[(rpc, caller) for rpc in ("ListLessons", "GetAttendance") for caller in LESSON_READERS],
    *[("ListGroups", caller) for caller in GROUP_LIST_READERS],
    *[("GetGroup", caller) for caller in GROUP_READERS],
]

# The timetable (admin writes; the group's people read) and the teacher's day (themself, administration).
TIMETABLE_READERS = (*GROUP_READERS, "the student", "the student's parent")
DAY_READERS = (*READ_ALL, "the admin", "the group's teacher")
REFUSED += [
    *[
        ("SetGroupTimetable", caller, DENIED, "role_required")
        for caller in (*NOT_ADMIN, "the group's teacher", "the student", CLASS_TEACHER)
    ],
    *[
        ("GetGroupTimetable", caller, NOT_FOUND, "group_not_found")
        for caller in (*MAY_NOT_READ, ELSEWHERE, NOT_A_STUDENT)
    ],
    *[
        ("GetTeacherDay", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in (*DAY_READERS, NOT_A_PERSON)
    ],
    *[(rpc, NOT_A_PERSON, DENIED, "person_required") for rpc in ("GetGroupTimetable", "GetTeacherDay")],
    *[
        ("ListTeachingLoads", caller, NOT_FOUND, "group_not_found")
        for caller in (*MAY_NOT_READ, ELSEWHERE, "the student", "the student's parent", NOT_A_STUDENT)
    ],
    ("ListTeachingLoads", NOT_A_PERSON, DENIED, "person_required"),
]
ALLOWED += [
    ("SetGroupTimetable", "admin"),
    *[("GetGroupTimetable", caller) for caller in TIMETABLE_READERS],
    *[("GetTeacherDay", caller) for caller in DAY_READERS],
    *[("ListTeachingLoads", caller) for caller in GROUP_READERS],
]

# The year's import and copy: the admin; the template: the administration.
YEAR_IMPORT_WRITES = ("ImportYearWorkbook", "CopyYearStructure")
REFUSED += [
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in YEAR_IMPORT_WRITES
        for caller in (*NOT_ADMIN, "the group's teacher", "the student", CLASS_TEACHER, NOT_A_PERSON)
    ],
    *[
        ("GetYearImportTemplate", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in (*READ_ALL, "the admin")
    ],
]
ALLOWED += [
    *[(rpc, caller) for rpc in YEAR_IMPORT_WRITES for caller in ("admin", "the admin")],
    *[("GetYearImportTemplate", caller) for caller in (*READ_ALL, "the admin")],
]

# Curriculum and KTP (issue 6, items 1-2): the admin sets the plan, the teacher of the load (or the
# admin) the KTP; the group's readers read both; the administration lists the loads without a KTP.
KTP_CALLS: dict[str, Call] = {
    "SetCurriculum": lambda s, w, md: s.SetCurriculum(
        pb.SetCurriculumRequest(
            group_id=w.group_id,
            year_id=w.year_id,
            rows=[
                pb.CurriculumRow(
                    discipline_id=w.discipline_id,
                    semester=1,
                    total_hours=72,
                    weekly_hours=4,
                    control_form=pb.CONTROL_FORM_EXAM,
                )
            ],
        ),
        metadata=md,
    ),
    "GetCurriculum": lambda s, w, md: s.GetCurriculum(
        pb.GetCurriculumRequest(group_id=w.group_id, year_id=w.year_id), metadata=md
    ),
    "SetKtp": lambda s, w, md: s.SetKtp(
        pb.SetKtpRequest(
            group_id=w.group_id,
            discipline_id=w.discipline_id,
            topics=[pb.KtpTopic(title="Тема 1.1. Пределы", hours=2, kind=jpb.LESSON_KIND_LECTURE)],
        ),
        metadata=md,
    ),
    "GetKtp": lambda s, w, md: s.GetKtp(
        pb.GetKtpRequest(group_id=w.group_id, discipline_id=w.discipline_id), metadata=md
    ),
    "ListDisciplinesWithoutKtp": lambda s, w, md: s.ListDisciplinesWithoutKtp(
        pb.ListDisciplinesWithoutKtpRequest(year_id=w.year_id, as_of=today()), metadata=md
    ),
}
CALLS.update(KTP_CALLS)
GROUP_STRANGERS = (*MAY_NOT_READ, ELSEWHERE, "the student", "the student's parent", NOT_A_STUDENT)
REFUSED += [
    *[
        ("SetCurriculum", caller, DENIED, "role_required")
        for caller in (*NOT_ADMIN, "the group's teacher", "the student", CLASS_TEACHER)
    ],
    *[
        ("SetKtp", caller, DENIED, "role_required")
        for caller in (
            *[r for r in REALM_ROLES if r not in {"admin", "teacher"}],
            "the student",
            NOT_A_STUDENT,
            CLASS_TEACHER,
        )
    ],
    *[("SetKtp", caller, DENIED, "not_teaching_this_group") for caller in ("teacher", COLLEAGUE, ELSEWHERE)],
    *[
        (rpc, caller, NOT_FOUND, "group_not_found")
        for rpc in ("GetCurriculum", "GetKtp")
        for caller in GROUP_STRANGERS
    ],
    *[(rpc, NOT_A_PERSON, DENIED, "person_required") for rpc in ("SetKtp", "GetCurriculum", "GetKtp")],
    *[
        ("ListDisciplinesWithoutKtp", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in (*READ_ALL, "the admin")
    ],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in KTP_CALLS],
]
ALLOWED += [
    *[("SetCurriculum", caller) for caller in ("admin", "the admin")],
    *[("SetKtp", caller) for caller in ("admin", "the admin", "the group's teacher")],
    *[(rpc, caller) for rpc in ("GetCurriculum", "GetKtp") for caller in GROUP_READERS],
    *[("ListDisciplinesWithoutKtp", caller) for caller in (*READ_ALL, "the admin")],
]


# Read models (issue 6 item 6) and «Пропуски» (item 5); the student is absent from the case's lesson.
def _span() -> dict[str, LocalDate]:
    return {"date_from": LocalDate(year=TODAY.year, month=TODAY.month, day=1), "date_to": today()}


MONDAY = LocalDate(year=TODAY.year, month=TODAY.month, day=TODAY.day - TODAY.weekday())
CALLS.update(
    {
        "GetJournalPage": lambda s, w, md: s.GetJournalPage(
            pb.GetJournalPageRequest(group_id=w.group_id, discipline_id=w.discipline_id, **_span()),
            metadata=md,
        ),
        "GetGroupOverview": lambda s, w, md: s.GetGroupOverview(
            pb.GetGroupOverviewRequest(group_id=w.group_id, **_span()), metadata=md
        ),
        "GetStudentDiary": lambda s, w, md: s.GetStudentDiary(
            pb.GetStudentDiaryRequest(student_id=w.student, **_span()), metadata=md
        ),
        "ListGroupAbsences": lambda s, w, md: s.ListGroupAbsences(
            pb.ListGroupAbsencesRequest(group_id=w.group_id, week_start=MONDAY), metadata=md
        ),
        "CorrectAbsenceReasons": lambda s, w, md: s.CorrectAbsenceReasons(
            pb.CorrectAbsenceReasonsRequest(
                group_id=w.group_id,
                corrections=[
                    pb.AbsenceCorrection(
                        lesson_id=w.lesson_id, student_id=w.student, reason=jpb.ABSENCE_REASON_DOCUMENTED
                    )
                ],
            ),
            metadata=md,
        ),
    }
)
# The group's readers: the administration, its teachers (any discipline) and its class teacher.
GROUP_READS = ("GetJournalPage", "GetGroupOverview", "ListGroupAbsences")
GROUP_STRANGERS = (*MAY_NOT_READ, ELSEWHERE, "the student", "the student's parent", NOT_A_STUDENT)
REFUSED += [
    *[(rpc, caller, NOT_FOUND, "group_not_found") for rpc in GROUP_READS for caller in GROUP_STRANGERS],
    *[
        ("GetStudentDiary", caller, NOT_FOUND, "student_not_found")
        for caller in (*MAY_NOT_READ, ELSEWHERE, NOT_A_STUDENT)
    ],
    *[
        ("CorrectAbsenceReasons", caller, DENIED, "role_required")
        for caller in ("director", "deputy", "curator")
    ],
    *[
        ("CorrectAbsenceReasons", caller, DENIED, "not_class_teacher")
        for caller in ("the group's teacher", COLLEAGUE)
    ],
    *[("CorrectAbsenceReasons", caller, NOT_FOUND, "group_not_found") for caller in GROUP_STRANGERS],
    *[
        (rpc, NOT_A_PERSON, DENIED, "person_required")
        for rpc in (*GROUP_READS, "GetStudentDiary", "CorrectAbsenceReasons")
    ],
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in (*GROUP_READS, "GetStudentDiary", "CorrectAbsenceReasons")
    ],
]
ALLOWED += [
    *[(rpc, caller) for rpc in GROUP_READS for caller in GROUP_READERS],
    *[
        ("GetStudentDiary", caller)
        for caller in (
            *READ_ALL,
            "the student",
            "the student's parent",
            "the group's teacher",
            COLLEAGUE,
            CLASS_TEACHER,
        )
    ],
    *[("CorrectAbsenceReasons", caller) for caller in ("admin", "the admin", CLASS_TEACHER)],
]


# Student movement (R2.6): applied by the admin only; the class teacher reports it outside the system.
CALLS.update(
    {
        "MoveStudent": lambda s, w, md: s.MoveStudent(
            pb.MoveStudentRequest(
                student_id=w.student,
                kind=jpb.MOVEMENT_KIND_ACADEMIC_LEAVE,
                on_date=today(),
                order_number="№ 7-к",
            ),
            metadata=md,
        ),
    }
)
REFUSED += [
    *[
        ("MoveStudent", caller, DENIED, "role_required")
        for caller in (*NOT_ADMIN, "the group's teacher", "the student", CLASS_TEACHER)
    ],
    ("MoveStudent", "nobody", UNAUTHENTICATED, "unauthenticated"),
]
ALLOWED += [("MoveStudent", "admin"), ("MoveStudent", "the admin")]


# Student movement completed (issue 7 item 8): a group graduated by one order (admin); a student's
# history (administration, the class teacher of a group they were in, the student, their parent);
# a group's movements (administration, the group's class teacher).
CALLS.update(
    {
        "GraduateGroup": lambda s, w, md: s.GraduateGroup(
            pb.GraduateGroupRequest(group_id=w.group_id, on_date=today(), order_number="№ 9-в"), metadata=md
        ),
        "GetStudentMovements": lambda s, w, md: s.GetStudentMovements(
            pb.GetStudentMovementsRequest(student_id=w.student), metadata=md
        ),
        "ListGroupMovements": lambda s, w, md: s.ListGroupMovements(
            pb.ListGroupMovementsRequest(group_id=w.group_id), metadata=md
        ),
    }
)
MOVEMENT_STRANGERS = (
    *[role for role in REALM_ROLES if role not in READ_ALL],
    "the group's teacher",
    COLLEAGUE,
    ELSEWHERE,
)
REFUSED += [
    *[
        ("GraduateGroup", caller, DENIED, "role_required")
        for caller in (*NOT_ADMIN, "the group's teacher", "the student", CLASS_TEACHER)
    ],
    *[("GetStudentMovements", caller, NOT_FOUND, "student_not_found") for caller in MOVEMENT_STRANGERS],
    *[
        ("ListGroupMovements", caller, NOT_FOUND, "group_not_found")
        for caller in (*MOVEMENT_STRANGERS, "the student", "the student's parent")
    ],
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in ("GraduateGroup", "GetStudentMovements", "ListGroupMovements")
    ],
]
ALLOWED += [
    ("GraduateGroup", "admin"),
    ("GraduateGroup", "the admin"),
    *[
        ("GetStudentMovements", caller)
        for caller in (*READ_ALL, CLASS_TEACHER, "the student", "the student's parent")
    ],
    *[("ListGroupMovements", caller) for caller in (*READ_ALL, CLASS_TEACHER)],
]


# Changing and removing a mark (R3.3): the teacher with the load of the mark's group and discipline.
MARK_CHANGES = ("ChangeMark", "RemoveMark")
CALLS.update(
    {
        "ChangeMark": lambda s, w, md: s.ChangeMark(
            pb.ChangeMarkRequest(mark_id=w.mark_id, value="5", reason="пересдал"), metadata=md
        ),
        "RemoveMark": lambda s, w, md: s.RemoveMark(
            pb.RemoveMarkRequest(mark_id=w.mark_id, reason="ошибка"), metadata=md
        ),
    }
)
REFUSED += [
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in MARK_CHANGES
        for caller in (*[r for r in REALM_ROLES if r != "teacher"], "the admin", "the student", CLASS_TEACHER)
    ],
    *[
        (rpc, caller, DENIED, "not_teaching_this_group")
        for rpc in MARK_CHANGES
        for caller in ("teacher", COLLEAGUE, ELSEWHERE)
    ],
    *[(rpc, NOT_A_PERSON, DENIED, "person_required") for rpc in MARK_CHANGES],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in MARK_CHANGES],
]
ALLOWED += [(rpc, "the group's teacher") for rpc in MARK_CHANGES]


# Removing a load (the admin, as AssignTeachingLoad) and finding disciplines (staff; issue 6 item 9).
CALLS.update(
    {
        "RemoveTeachingLoad": lambda s, w, md: s.RemoveTeachingLoad(
            pb.RemoveTeachingLoadRequest(load_id=w.colleague_load_id), metadata=md
        ),
        "FindDisciplines": lambda s, w, md: s.FindDisciplines(
            pb.FindDisciplinesRequest(query="матем", page_size=5), metadata=md
        ),
    }
)
DISCIPLINE_FINDERS = (
    *READ_ALL,
    "teacher",
    "class_teacher",
    "the group's teacher",
    CLASS_TEACHER,
    NOT_A_PERSON,
)
REFUSED += [
    *[
        ("RemoveTeachingLoad", caller, DENIED, "role_required")
        for caller in (*NOT_ADMIN, "the group's teacher", COLLEAGUE, "the student", CLASS_TEACHER)
    ],
    *[
        ("FindDisciplines", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in (*DISCIPLINE_FINDERS, "the admin", COLLEAGUE, ELSEWHERE)
    ],
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in ("RemoveTeachingLoad", "FindDisciplines")
    ],
]
ALLOWED += [
    *[("RemoveTeachingLoad", caller) for caller in ("admin", "the admin")],
    *[("FindDisciplines", caller) for caller in DISCIPLINE_FINDERS],
]


# The demonstration exam (issue 7 item 4): the table set by the admin, read by staff; a result recorded
# by the teacher with the load, read by the group's readers. The result needs a semester in the past
# with the demonstration exam in the group's plan: the academic year of TODAY, opened once per module.
_DEMO_EXAM_ISSUER: list[LocalIssuer] = []


@pytest.fixture(autouse=True)
def _demo_exam_issuer(issuer: LocalIssuer) -> None:
    _DEMO_EXAM_ISSUER[:] = [issuer]


async def _demo_exam_semester(s: pb_grpc.JournalServiceStub, w: World) -> str:
    """Give the case's group a demonstration exam in semester 1 of 2026/2027; return that year's id."""
    admin = call_metadata(_DEMO_EXAM_ISSUER[0].token(w.admin, ("admin",)))
    try:
        year_id = (
            await s.OpenAcademicYear(
                pb.OpenAcademicYearRequest(
                    name="2026/2027",
                    span=jpb.DateSpan(
                        starts_on=LocalDate(year=2026, month=9, day=1),
                        ends_on=LocalDate(year=2027, month=8, day=31),
                    ),
                    semester1=jpb.DateSpan(
                        starts_on=LocalDate(year=2026, month=9, day=1),
                        ends_on=LocalDate(year=2026, month=12, day=31),
                    ),
                    semester2=jpb.DateSpan(
                        starts_on=LocalDate(year=2027, month=1, day=12),
                        ends_on=LocalDate(year=2027, month=6, day=30),
                    ),
                ),
                metadata=admin,
            )
        ).year.year_id
    except grpc.aio.AioRpcError:
        years = (await s.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=admin)).years
        year_id = next(y.year_id for y in years if y.name == "2026/2027")
    row = pb.CurriculumRow(
        discipline_id=w.discipline_id,
        semester=1,
        total_hours=72,
        weekly_hours=4,
        control_form=pb.CONTROL_FORM_DEMONSTRATION_EXAM,
    )
    await s.SetCurriculum(
        pb.SetCurriculumRequest(group_id=w.group_id, year_id=year_id, rows=[row]), metadata=admin
    )
    return year_id


async def _record_demo_exam(
    s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> object:
    year_id = await _demo_exam_semester(s, w)
    yesterday = LocalDate(year=TODAY.year, month=TODAY.month, day=TODAY.day - 1)
    return await s.RecordDemoExamResult(
        pb.RecordDemoExamResultRequest(
            group_id=w.group_id,
            discipline_id=w.discipline_id,
            year_id=year_id,
            semester=1,
            student_id=w.student,
            points="56",
            maximum="80",
            exam_date=yesterday,
        ),
        metadata=md,
    )


DEMO_EXAM_BANDS = [
    pb.DemoExamBand(from_percent="0", to_percent="49.99", mark="2"),
    pb.DemoExamBand(from_percent="50", to_percent="100", mark="5"),
]
CALLS.update(
    {
        "SetDemoExamScale": lambda s, w, md: s.SetDemoExamScale(
            pb.SetDemoExamScaleRequest(
                bands=DEMO_EXAM_BANDS, effective_from=LocalDate(year=2100, month=1, day=1)
            ),
            metadata=md,
        ),
        "GetDemoExamScale": lambda s, w, md: s.GetDemoExamScale(
            pb.GetDemoExamScaleRequest(version=1), metadata=md
        ),
        "RecordDemoExamResult": _record_demo_exam,
        "ListDemoExamResults": lambda s, w, md: s.ListDemoExamResults(
            pb.ListDemoExamResultsRequest(
                group_id=w.group_id, discipline_id=w.discipline_id, year_id=w.year_id, semester=1
            ),
            metadata=md,
        ),
    }
)
# One caller or a few per rule and outcome (each case builds its world: the rows are kept few).
DEMO_EXAM_RPCS = ("SetDemoExamScale", "GetDemoExamScale", "RecordDemoExamResult", "ListDemoExamResults")
REFUSED += [
    *[
        ("SetDemoExamScale", caller, DENIED, "role_required")
        for caller in ("teacher", "deputy", CLASS_TEACHER, "the student")
    ],
    *[
        ("GetDemoExamScale", caller, DENIED, "role_required")
        for caller in ("student", "the student's parent")
    ],
    *[
        ("RecordDemoExamResult", caller, DENIED, "role_required")
        for caller in ("the admin", "class_teacher", "the student")
    ],
    *[
        ("RecordDemoExamResult", caller, DENIED, "not_teaching_this_group")
        for caller in ("teacher", COLLEAGUE, ELSEWHERE)
    ],
    *[
        ("ListDemoExamResults", caller, NOT_FOUND, "group_not_found")
        for caller in ("student", "teacher", ELSEWHERE, "the student's parent")
    ],
    *[
        (rpc, NOT_A_PERSON, DENIED, "person_required")
        for rpc in ("RecordDemoExamResult", "ListDemoExamResults")
    ],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in DEMO_EXAM_RPCS],
]
ALLOWED += [
    ("SetDemoExamScale", "the admin"),
    *[("GetDemoExamScale", caller) for caller in ("director", "the group's teacher", CLASS_TEACHER)],
    ("RecordDemoExamResult", "the group's teacher"),
    *[("ListDemoExamResults", caller) for caller in ("curator", COLLEAGUE, CLASS_TEACHER)],
]


# Academic debts (issue 7 item 3): a retake of a failing final is recorded by the teacher of the
# discipline, the curator or the admin; a student's debts are read by the diary's readers, a group's by
# the group's readers. The case's final: an exam of semester 1 of the case's year set to 2 by the
# group's teacher (the journal dates it no later than its today, so the retake is today).
async def _record_retake(s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    admin = call_metadata(_DEMO_EXAM_ISSUER[0].token(w.admin, ("admin",)))
    row = pb.CurriculumRow(
        discipline_id=w.discipline_id,
        semester=1,
        total_hours=72,
        weekly_hours=2,
        control_form=pb.CONTROL_FORM_EXAM,
    )
    await s.SetCurriculum(
        pb.SetCurriculumRequest(group_id=w.group_id, year_id=w.year_id, rows=[row]), metadata=admin
    )
    final = await s.SetFinal(
        pb.SetFinalRequest(
            group_id=w.group_id,
            discipline_id=w.discipline_id,
            student_id=w.student,
            period=jpb.FinalPeriod(year_id=w.year_id, semester=1, kind=jpb.FINAL_KIND_EXAM),
            value="2",
            confirm_not_enough_marks=True,
        ),
        metadata=call_metadata(_DEMO_EXAM_ISSUER[0].token(w.teacher, ("teacher",))),
    )
    return await s.RecordRetake(
        pb.RecordRetakeRequest(final_id=final.final.final_id, retake_date=today(), value="3"), metadata=md
    )


DEBT_RPCS = ("RecordRetake", "ListStudentDebts", "ListGroupDebts")
CALLS.update(
    {
        "RecordRetake": _record_retake,
        "ListStudentDebts": lambda s, w, md: s.ListStudentDebts(
            pb.ListStudentDebtsRequest(student_id=w.student), metadata=md
        ),
        "ListGroupDebts": lambda s, w, md: s.ListGroupDebts(
            pb.ListGroupDebtsRequest(group_id=w.group_id, year_id=w.year_id), metadata=md
        ),
    }
)
REFUSED += [
    *[
        ("RecordRetake", caller, DENIED, "role_required")
        for caller in ("deputy", "class_teacher", "the student", CLASS_TEACHER)
    ],
    *[
        ("RecordRetake", caller, DENIED, "not_teaching_this_group")
        for caller in ("teacher", COLLEAGUE, ELSEWHERE)
    ],
    *[
        ("ListStudentDebts", caller, NOT_FOUND, "student_not_found")
        for caller in ("student", "teacher", "parent", ELSEWHERE, NOT_A_STUDENT)
    ],
    *[
        ("ListGroupDebts", caller, NOT_FOUND, "group_not_found")
        for caller in ("student", "teacher", ELSEWHERE, "the student", "the student's parent")
    ],
    *[(rpc, NOT_A_PERSON, DENIED, "person_required") for rpc in DEBT_RPCS],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in DEBT_RPCS],
]
ALLOWED += [
    *[("RecordRetake", caller) for caller in ("the group's teacher", "curator", "the admin")],
    *[
        ("ListStudentDebts", caller)
        for caller in (
            "director",
            "the student",
            "the student's parent",
            CLASS_TEACHER,
            "the group's teacher",
        )
    ],
    *[("ListGroupDebts", caller) for caller in ("curator", CLASS_TEACHER, COLLEAGUE)],
]


# Finals and the enough-marks rule (issue 7 items 1-2; slice A): the admin sets the rule, staff read it;
# the teacher of the load (or the admin) sets a final; the group's readers read proposals and finals;
# the diary's readers a student's finals; the class teacher and the administration «Мало оценок». A
# final needs its discipline in the group's plan: semester 1 of the case's year, set by the admin first
# (the case's student has no marks in that year: the final is set with the warning confirmed).
_FINALS_ISSUER: list[LocalIssuer] = []


@pytest.fixture(autouse=True)
def _finals_issuer(issuer: LocalIssuer) -> None:
    _FINALS_ISSUER[:] = [issuer]


async def _finals_plan(s: pb_grpc.JournalServiceStub, w: World) -> jpb.FinalPeriod:
    admin = call_metadata(_FINALS_ISSUER[0].token(w.admin, ("admin",)))
    row = pb.CurriculumRow(
        discipline_id=w.discipline_id,
        semester=1,
        total_hours=72,
        weekly_hours=2,
        control_form=pb.CONTROL_FORM_NONE,
    )
    await s.SetCurriculum(
        pb.SetCurriculumRequest(group_id=w.group_id, year_id=w.year_id, rows=[row]), metadata=admin
    )
    return jpb.FinalPeriod(year_id=w.year_id, semester=1, kind=jpb.FINAL_KIND_SEMESTER)


async def _propose_finals(s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    period = await _finals_plan(s, w)
    request = pb.ProposeFinalsRequest(group_id=w.group_id, discipline_id=w.discipline_id, period=period)
    return await s.ProposeFinals(request, metadata=md)


async def _set_final(s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    period = await _finals_plan(s, w)
    request = pb.SetFinalRequest(
        group_id=w.group_id,
        discipline_id=w.discipline_id,
        student_id=w.student,
        period=period,
        value="4",
        confirm_not_enough_marks=True,
    )
    return await s.SetFinal(request, metadata=md)


FINALS_CALLS: dict[str, Call] = {
    "GetFinalRule": lambda s, w, md: s.GetFinalRule(pb.GetFinalRuleRequest(), metadata=md),
    "SetFinalRule": lambda s, w, md: s.SetFinalRule(
        pb.SetFinalRuleRequest(
            kind=jpb.FINAL_RULE_KIND_WEIGHTED_MEAN,
            rounding=jpb.FINAL_ROUNDING_HALF_UP,
            effective_from=LocalDate(year=2100, month=1, day=1),
        ),
        metadata=md,
    ),
    "ProposeFinals": _propose_finals,
    "SetFinal": _set_final,
    "GetStudentFinals": lambda s, w, md: s.GetStudentFinals(
        pb.GetStudentFinalsRequest(student_id=w.student, year_id=w.year_id), metadata=md
    ),
    "GetGroupFinals": lambda s, w, md: s.GetGroupFinals(
        pb.GetGroupFinalsRequest(group_id=w.group_id, year_id=w.year_id, semester=1), metadata=md
    ),
    "ListStudentsWithTooFewMarks": lambda s, w, md: s.ListStudentsWithTooFewMarks(
        pb.ListStudentsWithTooFewMarksRequest(group_id=w.group_id, year_id=w.year_id, semester=1), metadata=md
    ),
}
CALLS.update(FINALS_CALLS)
# One caller or a few per rule and outcome (each case builds its world: the rows are kept few).
FINALS_GROUP_READS = ("ProposeFinals", "GetGroupFinals")
REFUSED += [
    *[
        ("GetFinalRule", caller, DENIED, "role_required")
        for caller in ("student", "parent", "the student's parent")
    ],
    *[
        ("SetFinalRule", caller, DENIED, "role_required")
        for caller in ("teacher", "deputy", "the group's teacher", CLASS_TEACHER)
    ],
    *[
        ("SetFinal", caller, DENIED, "role_required")
        for caller in ("class_teacher", "curator", "the student", CLASS_TEACHER)
    ],
    *[
        ("SetFinal", caller, DENIED, "not_teaching_this_group")
        for caller in ("teacher", COLLEAGUE, ELSEWHERE)
    ],
    *[
        (rpc, caller, NOT_FOUND, "group_not_found")
        for rpc in FINALS_GROUP_READS
        for caller in ("student", "teacher", ELSEWHERE, "the student's parent")
    ],
    *[
        ("ListStudentsWithTooFewMarks", caller, NOT_FOUND, "group_not_found")
        for caller in ("student", ELSEWHERE, "the group's teacher", COLLEAGUE)
    ],
    *[
        ("GetStudentFinals", caller, NOT_FOUND, "student_not_found")
        for caller in ("teacher", "parent", ELSEWHERE, NOT_A_STUDENT)
    ],
    *[
        (rpc, NOT_A_PERSON, DENIED, "person_required")
        for rpc in ("SetFinal", *FINALS_GROUP_READS, "ListStudentsWithTooFewMarks", "GetStudentFinals")
    ],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in FINALS_CALLS],
]
ALLOWED += [
    *[("GetFinalRule", caller) for caller in ("director", "the group's teacher", CLASS_TEACHER)],
    ("SetFinalRule", "the admin"),
    *[("SetFinal", caller) for caller in ("admin", "the group's teacher")],
    *[
        (rpc, caller)
        for rpc in FINALS_GROUP_READS
        for caller in ("curator", "the group's teacher", COLLEAGUE, CLASS_TEACHER)
    ],
    *[("ListStudentsWithTooFewMarks", caller) for caller in ("deputy", CLASS_TEACHER)],
    *[
        ("GetStudentFinals", caller)
        for caller in ("director", "the student", "the student's parent", CLASS_TEACHER)
    ],
]


# The history of a final (issue 7 item 6, slice K): the readers of the student's finals (GetStudentFinals'
# rule) and the student; anyone else is not told the final exists. The case's final is set by the admin.
async def _final_history(s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    admin = call_metadata(_FINALS_ISSUER[0].token(w.admin, ("admin",)))
    final = await _set_final(s, w, admin)
    return await s.GetFinalHistory(
        pb.GetFinalHistoryRequest(final_id=final.final.final_id),  # type: ignore[attr-defined]
        metadata=md,
    )


CALLS["GetFinalHistory"] = _final_history
REFUSED += [
    *[
        ("GetFinalHistory", caller, NOT_FOUND, "final_not_found")
        for caller in ("student", "teacher", "parent", ELSEWHERE, NOT_A_STUDENT)
    ],
    ("GetFinalHistory", NOT_A_PERSON, DENIED, "person_required"),
    ("GetFinalHistory", "nobody", UNAUTHENTICATED, "unauthenticated"),
]
ALLOWED += [
    ("GetFinalHistory", caller)
    for caller in ("director", "the student", "the student's parent", "the group's teacher", CLASS_TEACHER)
]

# History and correction requests (issue 7 item 6, R3.3): a mark's or an attendance entry's history is
# read by the student, their parent, the teacher of the load, the group's class teacher and the
# administration — anyone else is not told it exists; the student files about their own mark, the
# teacher of the load answers (the case's student files first).
_HISTORY_ISSUER: list[LocalIssuer] = []


@pytest.fixture(autouse=True)
def _history_issuer(issuer: LocalIssuer) -> None:
    _HISTORY_ISSUER[:] = [issuer]


async def _answer_correction(
    s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> object:
    as_student = call_metadata(_HISTORY_ISSUER[0].token(w.student, ("student",)))
    filed = await s.FileCorrectionRequest(
        pb.FileCorrectionRequestRequest(mark_id=w.mark_id, text="Я отвечал на пять"), metadata=as_student
    )
    return await s.AnswerCorrectionRequest(
        pb.AnswerCorrectionRequestRequest(
            request_id=filed.request.request_id,
            decision=jpb.CORRECTION_DECISION_CHANGED,
            text="Исправлено",
            new_value="5",
        ),
        metadata=md,
    )


CALLS.update(
    {
        "GetMarkHistory": lambda s, w, md: s.GetMarkHistory(
            pb.GetMarkHistoryRequest(mark_id=w.mark_id), metadata=md
        ),
        "GetAttendanceHistory": lambda s, w, md: s.GetAttendanceHistory(
            pb.GetAttendanceHistoryRequest(lesson_id=w.lesson_id, student_id=w.student), metadata=md
        ),
        "FileCorrectionRequest": lambda s, w, md: s.FileCorrectionRequest(
            pb.FileCorrectionRequestRequest(mark_id=w.mark_id, text="Исправьте, пожалуйста"), metadata=md
        ),
        "ListCorrectionRequests": lambda s, w, md: s.ListCorrectionRequests(
            pb.ListCorrectionRequestsRequest(), metadata=md
        ),
        "AnswerCorrectionRequest": _answer_correction,
    }
)
HISTORY_READS = {"GetMarkHistory": "mark_not_found", "GetAttendanceHistory": "lesson_not_found"}
HISTORY_READERS = (
    *READ_ALL,
    "the admin",
    "the group's teacher",
    CLASS_TEACHER,
    "the student",
    "the student's parent",
)
CORRECTION_LISTERS = ("teacher", "student", "the group's teacher", COLLEAGUE, ELSEWHERE, "the student")
REFUSED += [
    *[
        (rpc, caller, NOT_FOUND, code)
        for rpc, code in HISTORY_READS.items()
        for caller in CALLERS
        if caller not in (*HISTORY_READERS, NOT_A_PERSON)
    ],
    *[(rpc, NOT_A_PERSON, DENIED, "person_required") for rpc in HISTORY_READS],
    ("FileCorrectionRequest", "student", NOT_FOUND, "mark_not_found"),
    *[
        ("FileCorrectionRequest", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in ("student", "the student")
    ],
    *[
        ("ListCorrectionRequests", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in (*CORRECTION_LISTERS, NOT_A_PERSON)
    ],
    ("ListCorrectionRequests", NOT_A_PERSON, DENIED, "person_required"),
    *[
        ("AnswerCorrectionRequest", caller, DENIED, "not_teaching_this_group")
        for caller in ("teacher", COLLEAGUE, ELSEWHERE)
    ],
    ("AnswerCorrectionRequest", NOT_A_PERSON, DENIED, "person_required"),
    *[
        ("AnswerCorrectionRequest", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in ("teacher", "the group's teacher", COLLEAGUE, ELSEWHERE, NOT_A_PERSON)
    ],
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in (
            *HISTORY_READS,
            "FileCorrectionRequest",
            "ListCorrectionRequests",
            "AnswerCorrectionRequest",
        )
    ],
]
ALLOWED += [
    *[(rpc, caller) for rpc in HISTORY_READS for caller in HISTORY_READERS],
    ("FileCorrectionRequest", "the student"),
    *[("ListCorrectionRequests", caller) for caller in CORRECTION_LISTERS],
    ("AnswerCorrectionRequest", "the group's teacher"),
]


# Substitutions (issue 7 item 7): recorded and cancelled by the admin or a deputy, listed by the
# administration and teachers (their own); curriculum execution (item 9) for the administration and
# the group's class teacher, the lag across groups for the administration. The substitution is on the
# case's group's timetable: the group's teacher on the first Monday of the case's year, first pair.
_SUBSTITUTION_ISSUER: list[LocalIssuer] = []


@pytest.fixture(autouse=True)
def _substitution_issuer(issuer: LocalIssuer) -> None:
    _SUBSTITUTION_ISSUER[:] = [issuer]


async def _substitution_slot(s: pb_grpc.JournalServiceStub, w: World) -> pb.RecordSubstitutionRequest:
    """Put the group's teacher in the timetable on the first Monday of the case's year; return a valid
    request replacing them there by the new teacher."""
    admin = call_metadata(_SUBSTITUTION_ISSUER[0].token(w.admin, ("admin",)))
    first = w.year_first_week.starts_on
    start = date(first.year, first.month, first.day)
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    entry = pb.TimetableEntry(weekday=1, pair_number=1, discipline_id=w.discipline_id, teacher_id=w.teacher)
    await s.SetGroupTimetable(
        pb.SetGroupTimetableRequest(group_id=w.group_id, year_id=w.year_id, semester=1, entries=[entry]),
        metadata=admin,
    )
    return pb.RecordSubstitutionRequest(
        group_id=w.group_id,
        discipline_id=w.discipline_id,
        lesson_date=LocalDate(year=monday.year, month=monday.month, day=monday.day),
        pair_number=1,
        substitute_teacher_id=w.new_teacher,
        reason=pb.SUBSTITUTION_REASON_TRAINING,
    )


async def _record_substitution(
    s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> object:
    return await s.RecordSubstitution(await _substitution_slot(s, w), metadata=md)


async def _cancel_substitution(
    s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> object:
    admin = call_metadata(_SUBSTITUTION_ISSUER[0].token(w.admin, ("admin",)))
    recorded = await s.RecordSubstitution(await _substitution_slot(s, w), metadata=admin)
    request = pb.CancelSubstitutionRequest(substitution_id=recorded.substitution.substitution_id)
    return await s.CancelSubstitution(request, metadata=md)


CALLS.update(
    {
        "RecordSubstitution": _record_substitution,
        "CancelSubstitution": _cancel_substitution,
        "ListSubstitutions": lambda s, w, md: s.ListSubstitutions(
            pb.ListSubstitutionsRequest(
                from_date=w.year_first_week.starts_on, to_date=w.year_first_week.ends_on, group_id=w.group_id
            ),
            metadata=md,
        ),
        "GetCurriculumExecution": lambda s, w, md: s.GetCurriculumExecution(
            pb.GetCurriculumExecutionRequest(group_id=w.group_id, year_id=w.year_id), metadata=md
        ),
        "ListCurriculumLag": lambda s, w, md: s.ListCurriculumLag(
            pb.ListCurriculumLagRequest(year_id=w.year_id), metadata=md
        ),
    }
)
SUBSTITUTION_RECORDERS = ("admin", "the admin", "deputy")
SUBSTITUTION_LISTERS = (
    *READ_ALL,
    "the admin",
    "teacher",
    "class_teacher",
    "the group's teacher",
    COLLEAGUE,
    ELSEWHERE,
    CLASS_TEACHER,
)
EXECUTION_READERS = (*READ_ALL, "the admin", CLASS_TEACHER)
REFUSED += [
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in ("RecordSubstitution", "CancelSubstitution")
        for caller in CALLERS
        if caller not in SUBSTITUTION_RECORDERS
    ],
    *[
        ("ListSubstitutions", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in (*SUBSTITUTION_LISTERS, NOT_A_PERSON)
    ],
    ("ListSubstitutions", NOT_A_PERSON, DENIED, "person_required"),
    *[
        ("GetCurriculumExecution", caller, NOT_FOUND, "group_not_found")
        for caller in CALLERS
        if caller not in (*EXECUTION_READERS, NOT_A_PERSON)
    ],
    ("GetCurriculumExecution", NOT_A_PERSON, DENIED, "person_required"),
    *[
        ("ListCurriculumLag", caller, DENIED, "role_required")
        for caller in CALLERS
        if caller not in (*READ_ALL, "the admin")
    ],
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in (
            "RecordSubstitution",
            "CancelSubstitution",
            "ListSubstitutions",
            "GetCurriculumExecution",
            "ListCurriculumLag",
        )
    ],
]
ALLOWED += [
    *[
        (rpc, caller)
        for rpc in ("RecordSubstitution", "CancelSubstitution")
        for caller in SUBSTITUTION_RECORDERS
    ],
    *[("ListSubstitutions", caller) for caller in SUBSTITUTION_LISTERS],
    *[("GetCurriculumExecution", caller) for caller in EXECUTION_READERS],
    *[("ListCurriculumLag", caller) for caller in (*READ_ALL, "the admin")],
]


# Period locks and reopen requests (issue 7 item 5; slice B): the admin or a deputy closes a period, the
# journal page's readers see the locks, the teacher of the load asks to reopen, only a deputy decides;
# a deputy lists the pending requests, a teacher their own. The case's period: semester 1 of its year,
# closed by the admin before a request is filed.
_LOCKS_ISSUER: list[LocalIssuer] = []


@pytest.fixture(autouse=True)
def _locks_issuer(issuer: LocalIssuer) -> None:
    _LOCKS_ISSUER[:] = [issuer]


def _period(w: World) -> dict[str, Any]:
    return {"group_id": w.group_id, "discipline_id": w.discipline_id, "year_id": w.year_id, "semester": 1}


async def _close_period(s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    return await s.ClosePeriod(lpb.ClosePeriodRequest(**_period(w)), metadata=md)


async def _request_reopen(
    s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> lpb.RequestReopenResponse:
    await _close_period(s, w, call_metadata(_LOCKS_ISSUER[0].token(w.admin, ("admin",))))
    return await s.RequestReopen(
        lpb.RequestReopenRequest(**_period(w), reason="Ошибка в оценке"), metadata=md
    )


async def _filed(s: pb_grpc.JournalServiceStub, w: World) -> str:
    as_teacher = call_metadata(_LOCKS_ISSUER[0].token(w.teacher, ("teacher",)))
    return (await _request_reopen(s, w, as_teacher)).request.request_id


async def _approve_reopen(s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    return await s.ApproveReopen(
        lpb.ApproveReopenRequest(request_id=await _filed(s, w), hours=2), metadata=md
    )


async def _reject_reopen(s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    request = lpb.RejectReopenRequest(request_id=await _filed(s, w), reason="Оценки верны")
    return await s.RejectReopen(request, metadata=md)


CALLS.update(
    {
        "ClosePeriod": _close_period,
        "ListPeriodLocks": lambda s, w, md: s.ListPeriodLocks(
            lpb.ListPeriodLocksRequest(group_id=w.group_id), metadata=md
        ),
        "RequestReopen": _request_reopen,
        "ApproveReopen": _approve_reopen,
        "RejectReopen": _reject_reopen,
        "ListReopenRequests": lambda s, w, md: s.ListReopenRequests(
            lpb.ListReopenRequestsRequest(), metadata=md
        ),
    }
)
LOCK_CLOSERS = ("the admin", "deputy")
LOCK_READERS = (*READ_ALL, "the admin", "the group's teacher", COLLEAGUE, CLASS_TEACHER)
REOPEN_LISTERS = ("deputy", "teacher", "the group's teacher", COLLEAGUE)
# A few callers per rule (each case builds its world): the roles next to the one allowed, the people
# of the case's college who might be mistaken for it.
NOT_DEPUTIES = ("the admin", "director", "curator", "the group's teacher", CLASS_TEACHER, "student")
REFUSED += [
    *[
        ("ClosePeriod", caller, DENIED, "role_required")
        for caller in ("teacher", "the group's teacher", "director", "curator", CLASS_TEACHER, "student")
    ],
    *[
        ("ListPeriodLocks", caller, NOT_FOUND, "group_not_found")
        for caller in ("teacher", ELSEWHERE, "class_teacher", "the student", "the student's parent")
    ],
    ("ListPeriodLocks", NOT_A_PERSON, DENIED, "person_required"),
    *[
        ("RequestReopen", caller, DENIED, "not_load_teacher")
        for caller in ("teacher", COLLEAGUE, ELSEWHERE, CLASS_TEACHER, "deputy", "the admin", "the student")
    ],
    ("RequestReopen", NOT_A_PERSON, DENIED, "person_required"),
    *[
        (rpc, caller, DENIED, "deputy_required")
        for rpc in ("ApproveReopen", "RejectReopen")
        for caller in NOT_DEPUTIES
    ],
    *[
        ("ListReopenRequests", caller, DENIED, "role_required")
        for caller in (
            "the admin",
            "director",
            "curator",
            CLASS_TEACHER,
            "the student",
            "the student's parent",
        )
    ],
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in (
            "ClosePeriod",
            "ListPeriodLocks",
            "RequestReopen",
            "ApproveReopen",
            "RejectReopen",
            "ListReopenRequests",
        )
    ],
]
ALLOWED += [
    *[("ClosePeriod", caller) for caller in LOCK_CLOSERS],
    *[("ListPeriodLocks", caller) for caller in LOCK_READERS],
    ("RequestReopen", "the group's teacher"),
    ("ApproveReopen", "deputy"),
    ("RejectReopen", "deputy"),
    *[("ListReopenRequests", caller) for caller in REOPEN_LISTERS],
]


# Slice J: dated subgroup membership (R2.6). The administration (admin, deputy) moves a student between
# two subgroups of the group's discipline; the group's readers read the dated memberships.
async def _subgroup_transfer(
    s: pb_grpc.JournalServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> pb.MoveStudentBetweenSubgroupsResponse:
    # A discipline of its own each time: the refused cases share one college (refusals_world).
    discipline = pb.CreateDisciplineRequest(
        code=f"ОП.{uuid.uuid4().hex[:8]}", name="Иностранный язык", kind=jpb.DISCIPLINE_KIND_DISCIPLINE
    )
    discipline_id = (await s.CreateDiscipline(discipline, metadata=w.admin_md)).discipline.discipline_id

    def subgroup(name: str, students: list[str]) -> pb.CreateSubgroupRequest:
        return pb.CreateSubgroupRequest(
            group_id=w.group_id,
            discipline_id=discipline_id,
            name=f"{name} {uuid.uuid4().hex[:6]}",
            student_ids=students,
        )

    first = (await s.CreateSubgroup(subgroup("подгруппа 1", [w.student]), metadata=w.admin_md)).subgroup
    second = (await s.CreateSubgroup(subgroup("подгруппа 2", []), metadata=w.admin_md)).subgroup
    request = pb.MoveStudentBetweenSubgroupsRequest(
        student_id=w.student,
        from_subgroup_id=first.subgroup_id,
        to_subgroup_id=second.subgroup_id,
        on_date=today(),
    )
    return await s.MoveStudentBetweenSubgroups(request, metadata=md)


SUBGROUP_MOVERS = ("admin", "the admin", "deputy")
CALLS.update(
    {
        "MoveStudentBetweenSubgroups": _subgroup_transfer,
        "ListSubgroupMemberships": lambda s, w, md: s.ListSubgroupMemberships(
            pb.ListSubgroupMembershipsRequest(group_id=w.group_id), metadata=md
        ),
    }
)
REFUSED += [
    *[
        ("MoveStudentBetweenSubgroups", caller, DENIED, "role_required")
        for caller in (
            *[r for r in NOT_ADMIN if r != "deputy"],
            "the group's teacher",
            "the student",
            CLASS_TEACHER,
        )
    ],
    *[
        ("ListSubgroupMemberships", caller, NOT_FOUND, "group_not_found")
        for caller in (*MAY_NOT_READ, ELSEWHERE, "the student", "the student's parent", NOT_A_STUDENT)
    ],
    ("ListSubgroupMemberships", NOT_A_PERSON, DENIED, "person_required"),
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in ("MoveStudentBetweenSubgroups", "ListSubgroupMemberships")
    ],
]
ALLOWED += [
    *[("MoveStudentBetweenSubgroups", caller) for caller in SUBGROUP_MOVERS],
    *[("ListSubgroupMemberships", caller) for caller in GROUP_READERS],
]


def metadata(journal: Journal, world: World, caller: str) -> tuple[tuple[str, str], ...]:
    if caller == "nobody":
        return ()
    subject, roles = CALLERS[caller](world)
    return call_metadata(journal.issuer.token(subject, roles))


_REFUSALS_WORLDS: dict[int, World] = {}
# Calls whose preparation writes (a final set, a reopen requested, a substitution or a correction
# request made before the refused call): repeated on one college, the second preparation fails.
SETUP_CHANGES_THE_WORLD = frozenset(
    {
        "AnswerCorrectionRequest",
        "ApproveReopen",
        "CancelSubstitution",
        "GetFinalHistory",
        "RecordRetake",
        "RejectReopen",
        "RequestReopen",
    }
)


async def refusals_world(journal: Journal) -> World:
    """The college the refused cases share: one per module's journal.

    A refusal changes nothing (each of them asserts its exact status and code, so a call that slipped
    through would fail its own case), and building a college per case was most of this module's time:
    about 0.1 s × 900 refused cases. The allowed cases, which do change things, each build their own.
    """
    if id(journal) not in _REFUSALS_WORLDS:
        _REFUSALS_WORLDS[id(journal)] = await build_world(journal)
    return _REFUSALS_WORLDS[id(journal)]


async def test_the_tables_cover_every_rpc_of_the_service() -> None:
    rpcs = set(pb.DESCRIPTOR.services_by_name["JournalService"].methods_by_name)
    assert set(CALLS) == rpcs
    assert {rpc for rpc, *_ in REFUSED} | {rpc for rpc, _ in ALLOWED} == rpcs


@pytest.mark.parametrize(
    ("rpc", "caller", "status", "code"), REFUSED, ids=[f"{r}-{c}" for r, c, *_ in REFUSED]
)
async def test_refused(journal: Journal, rpc: str, caller: str, status: grpc.StatusCode, code: str) -> None:
    world = await (build_world if rpc in SETUP_CHANGES_THE_WORLD else refusals_world)(journal)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await CALLS[rpc](journal.stub, world, metadata(journal, world, caller))
    assert (refused.value.code(), error_code_of(refused.value)) == (status, code)


@pytest.mark.parametrize(("rpc", "caller"), ALLOWED, ids=[f"{r}-{c}" for r, c in ALLOWED])
async def test_allowed(journal: Journal, rpc: str, caller: str) -> None:
    world = await build_world(journal)
    reply = await CALLS[rpc](journal.stub, world, metadata(journal, world, caller))
    assert type(reply).__name__ == f"{rpc}Response"
