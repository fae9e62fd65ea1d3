"""The curriculum («учебный план», R2.1) against in-memory fakes: the rules of a row, who may set and
read it, the event, and the proto's control forms mirrored by the domain."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_service_pb2 as service_pb
from journal_service.application.curriculum import GetCurriculum, SetCurriculum
from journal_service.application.handlers import JournalHandlers
from journal_service.domain import model, year
from journal_service.domain.curriculum import ControlForm, CurriculumRow
from journal_service.domain.year import DateSpan

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, CLASS_TEACHER = uuid.uuid4(), uuid.uuid4()


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


ADMIN = person("admin")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    store.disciplines.add(model.Discipline(MATH, "ЕН.01", "Математика", model.DisciplineKind.DISCIPLINE))
    store.disciplines.add(
        model.Discipline(ENGLISH, "ОГСЭ.03", "Иностранный язык", model.DisciplineKind.DISCIPLINE)
    )
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    return store


@pytest.fixture
def year_id(store: FakeStore) -> uuid.UUID:
    opened = year.new_academic_year(
        "2026/2027",
        DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
        DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
        DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
    )
    store.years.items[opened.id] = opened
    return opened.id


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: date(2026, 10, 15),
        people=person_directory(FakePersonDirectory()),
    )


def row(**changes: object) -> CurriculumRow:
    fields: dict[str, object] = {
        "discipline_id": MATH,
        "semester": 1,
        "total_hours": 72,
        "weekly_hours": 4,
        "control_form": ControlForm.EXAM,
    }
    fields.update(changes)
    return CurriculumRow(**fields)  # type: ignore[arg-type]


async def test_the_plan_is_replaced_whole_and_read_by_semester_and_code(
    handlers: JournalHandlers, store: FakeStore, year_id: uuid.UUID
) -> None:
    rows = (
        row(discipline_id=MATH, semester=2, control_form=ControlForm.DIFFERENTIATED_CREDIT),
        row(discipline_id=MATH, semester=1, control_form=ControlForm.NONE),
        row(
            discipline_id=ENGLISH, semester=1, total_hours=36, weekly_hours=2, control_form=ControlForm.CREDIT
        ),
    )
    stored = await handlers.curricula.set(SetCurriculum(GROUP, year_id, rows), ADMIN)
    assert [(r.discipline_id, r.semester) for r in stored] == [(MATH, 1), (ENGLISH, 1), (MATH, 2)]
    event = store.events_of(events.CurriculumSet)[0]
    assert (event.group_id, event.year_id, event.row_count) == (str(GROUP), str(year_id), 3)
    await handlers.curricula.set(SetCurriculum(GROUP, year_id, rows[:1]), ADMIN)
    for reader in (
        ADMIN,
        person("director"),
        person("teacher", subject=TEACHER),
        person("class_teacher", subject=CLASS_TEACHER),
    ):
        assert await handlers.curricula.get(GetCurriculum(GROUP, year_id), reader) == [rows[0]]


@pytest.mark.parametrize(
    ("rows", "error", "code"),
    [
        ((row(semester=3),), InvalidArgument, "invalid_semester"),
        ((row(total_hours=0),), InvalidArgument, "invalid_total_hours"),
        ((row(total_hours=2001),), InvalidArgument, "invalid_total_hours"),
        ((row(weekly_hours=55),), InvalidArgument, "invalid_weekly_hours"),
        ((row(weekly_hours=-1),), InvalidArgument, "invalid_weekly_hours"),
        ((row(), row(total_hours=10)), InvalidArgument, "duplicate_curriculum_row"),
        ((row(discipline_id=uuid.uuid4()),), NotFound, "discipline_not_found"),
        ((row(),) * 301, InvalidArgument, "too_many_curriculum_rows"),
    ],
)
async def test_bad_rows_are_refused_and_nothing_is_written(
    handlers: JournalHandlers,
    store: FakeStore,
    year_id: uuid.UUID,
    rows: tuple[CurriculumRow, ...],
    error: type[Exception],
    code: str,
) -> None:
    with pytest.raises(error) as refused:
        await handlers.curricula.set(
            SetCurriculum(GROUP, year_id, (row(discipline_id=ENGLISH), *rows)), ADMIN
        )
    assert getattr(refused.value, "code", None) == code
    assert (store.curricula.items, store.subjects) == ({}, [])


async def test_unknown_group_or_year_and_other_roles_are_refused(
    handlers: JournalHandlers, store: FakeStore, year_id: uuid.UUID
) -> None:
    cases = [
        (SetCurriculum(uuid.uuid4(), year_id, ()), ADMIN, "group_not_found"),
        (SetCurriculum(GROUP, uuid.uuid4(), ()), ADMIN, "academic_year_not_found"),
        (SetCurriculum(GROUP, year_id, ()), person("teacher", subject=TEACHER), "role_required"),
        (SetCurriculum(GROUP, year_id, ()), person("director"), "role_required"),
    ]
    for cmd, actor, code in cases:
        with pytest.raises((NotFound, PermissionDenied)) as refused:
            await handlers.curricula.set(cmd, actor)
        assert getattr(refused.value, "code", None) == code
    for actor in (person("teacher"), person("class_teacher"), person("student"), person("parent")):
        with pytest.raises(NotFound) as hidden:
            await handlers.curricula.get(GetCurriculum(GROUP, year_id), actor)
        assert hidden.value.code == "group_not_found"
    with pytest.raises(NotFound) as no_year:
        await handlers.curricula.get(GetCurriculum(GROUP, uuid.uuid4()), ADMIN)
    assert no_year.value.code == "academic_year_not_found"


def test_the_control_forms_mirror_the_proto() -> None:
    names = {n.removeprefix("CONTROL_FORM_") for n, _ in service_pb.ControlForm.items()} - {"UNSPECIFIED"}
    assert names == {form.name for form in ControlForm}
