"""Each REST endpoint maps the request to its RPC and the RPC's answer to JSON."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import grpc
from ejournal.archive.v1 import archive_pb2, archive_service_pb2
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_pb2, identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from ejournal.messaging.v1 import messaging_pb2, messaging_service_pb2
from ejournal.reports.v1 import reports_service_pb2
from google.protobuf.timestamp_pb2 import Timestamp


def ts(value: str) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.fromisoformat(value).astimezone(UTC))
    return stamp


def make_mark(student_id: str, **overrides) -> journal_pb2.Mark:
    fields = {
        "mark_id": str(uuid.uuid4()),
        "student_id": student_id,
        "group_id": str(uuid.uuid4()),
        "discipline_id": str(uuid.uuid4()),
        "teacher_id": str(uuid.uuid4()),
        "lesson_date": common_pb2.LocalDate(year=2026, month=10, day=5),
        "value": "5",
        "recorded_at": ts("2026-10-05T09:30:00+00:00"),
    }
    fields.update(overrides)
    return journal_pb2.Mark(**fields)


async def test_create_person_forwards_fields_token_and_request_id(client, bearer, fakes) -> None:
    person_id = str(uuid.uuid4())
    fakes.identity.reply(
        "CreatePerson",
        identity_service_pb2.CreatePersonResponse(
            person=identity_pb2.Person(
                person_id=person_id,
                username="petrova.a",
                role=identity_pb2.ROLE_CLASS_TEACHER,
                last_name="Петрова",
                first_name="Анна",
            ),
            temporary_password="Xy7-temporary",
        ),
    )
    headers = {**bearer(("admin",)), "X-Request-Id": "req-123"}
    response = await client.post(
        "/api/v1/people",
        json={"role": "class_teacher", "last_name": " Петрова ", "first_name": "Анна"},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json() == {
        "person_id": person_id,
        "username": "petrova.a",
        "role": "class_teacher",
        "temporary_password": "Xy7-temporary",
    }
    assert response.headers["x-request-id"] == "req-123"
    call = fakes.identity.last("CreatePerson")
    assert call.request.role == identity_pb2.ROLE_CLASS_TEACHER
    assert call.request.last_name == "Петрова"
    assert call.request.first_name == "Анна"
    assert call.request.middle_name == ""
    assert call.request.email == ""
    assert call.metadata["authorization"] == headers["Authorization"]
    assert call.metadata["x-request-id"] == "req-123"
    assert call.metadata["x-correlation-id"] == "req-123"


async def test_every_role_name_reaches_the_service_as_its_enum(client, bearer, fakes) -> None:
    expected = {
        "admin": identity_pb2.ROLE_ADMIN,
        "director": identity_pb2.ROLE_DIRECTOR,
        "deputy": identity_pb2.ROLE_DEPUTY,
        "curator": identity_pb2.ROLE_CURATOR,
        "class_teacher": identity_pb2.ROLE_CLASS_TEACHER,
        "teacher": identity_pb2.ROLE_TEACHER,
        "student": identity_pb2.ROLE_STUDENT,
        "parent": identity_pb2.ROLE_PARENT,
    }
    for name, enum in expected.items():
        body = {"role": name, "last_name": "Сидоров", "first_name": "Пётр", "email": "p@example.org"}
        response = await client.post("/api/v1/people", json=body, headers=bearer())
        assert response.status_code == 201
        assert fakes.identity.last("CreatePerson").request.role == enum
        assert fakes.identity.last("CreatePerson").request.email == "p@example.org"


async def test_get_person(client, bearer, fakes) -> None:
    person_id = str(uuid.uuid4())
    fakes.identity.reply(
        "GetPerson",
        identity_service_pb2.GetPersonResponse(
            person=identity_pb2.Person(
                person_id=person_id,
                username="ivanov.i",
                role=identity_pb2.ROLE_STUDENT,
                last_name="Иванов",
                first_name="Иван",
                middle_name="Иванович",
                email="i@example.org",
            )
        ),
    )
    response = await client.get(f"/api/v1/people/{person_id}", headers=bearer())
    assert response.status_code == 200
    assert response.json() == {
        "person_id": person_id,
        "username": "ivanov.i",
        "role": "student",
        "last_name": "Иванов",
        "first_name": "Иван",
        "middle_name": "Иванович",
        "email": "i@example.org",
    }
    assert fakes.identity.last("GetPerson").request.person_id == person_id


async def test_link_guardian_is_201_when_new_and_200_when_it_existed(client, bearer, fakes) -> None:
    student_id, parent_id = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.identity.reply("LinkGuardian", identity_service_pb2.LinkGuardianResponse(created=True))
    url = f"/api/v1/students/{student_id}/guardians"
    response = await client.post(url, json={"parent_id": parent_id}, headers=bearer())
    assert (response.status_code, response.json()) == (201, {"created": True})
    request = fakes.identity.last("LinkGuardian").request
    assert (request.student_id, request.parent_id) == (student_id, parent_id)

    fakes.identity.reply("LinkGuardian", identity_service_pb2.LinkGuardianResponse(created=False))
    response = await client.post(url, json={"parent_id": parent_id}, headers=bearer())
    assert (response.status_code, response.json()) == (200, {"created": False})


async def test_create_group(client, bearer, fakes) -> None:
    group_id = str(uuid.uuid4())
    fakes.journal.reply(
        "CreateGroup",
        journal_service_pb2.CreateGroupResponse(group=journal_pb2.Group(group_id=group_id, name="ИС-21")),
    )
    response = await client.post("/api/v1/groups", json={"name": "ИС-21"}, headers=bearer())
    assert (response.status_code, response.json()) == (201, {"group_id": group_id, "name": "ИС-21"})
    assert fakes.journal.last("CreateGroup").request.name == "ИС-21"


async def test_enroll_student(client, bearer, fakes) -> None:
    group_id, student_id = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply("EnrollStudent", journal_service_pb2.EnrollStudentResponse(created=True))
    url = f"/api/v1/groups/{group_id}/students"
    response = await client.post(url, json={"student_id": student_id}, headers=bearer())
    assert (response.status_code, response.json()) == (201, {"created": True})
    request = fakes.journal.last("EnrollStudent").request
    assert (request.group_id, request.student_id) == (group_id, student_id)

    fakes.journal.reply("EnrollStudent", journal_service_pb2.EnrollStudentResponse(created=False))
    response = await client.post(url, json={"student_id": student_id}, headers=bearer())
    assert (response.status_code, response.json()) == (200, {"created": False})


async def test_group_students(client, bearer, fakes) -> None:
    group_id, student_id = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "ListGroupStudents", journal_service_pb2.ListGroupStudentsResponse(student_ids=[student_id])
    )
    response = await client.get(f"/api/v1/groups/{group_id}/students", headers=bearer(("teacher",)))
    assert (response.status_code, response.json()) == (200, {"student_ids": [student_id]})
    assert fakes.journal.last("ListGroupStudents").request.group_id == group_id

    fakes.journal.fail("ListGroupStudents", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(f"/api/v1/groups/{group_id}/students", headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "group_not_found")


async def test_create_discipline_maps_the_kind(client, bearer, fakes) -> None:
    discipline_id = str(uuid.uuid4())
    fakes.journal.reply(
        "CreateDiscipline",
        journal_service_pb2.CreateDisciplineResponse(
            discipline=journal_pb2.Discipline(
                discipline_id=discipline_id,
                code="МДК.01.01",
                name="Разработка программных модулей",
                kind=journal_pb2.DISCIPLINE_KIND_MDK,
            )
        ),
    )
    body = {"code": "МДК.01.01", "name": "Разработка программных модулей", "kind": "mdk"}
    response = await client.post("/api/v1/disciplines", json=body, headers=bearer())
    assert response.status_code == 201
    assert response.json() == {
        "discipline_id": discipline_id,
        "code": "МДК.01.01",
        "name": "Разработка программных модулей",
        "kind": "mdk",
    }
    assert fakes.journal.last("CreateDiscipline").request.kind == journal_pb2.DISCIPLINE_KIND_MDK

    for kind, enum in {
        "discipline": journal_pb2.DISCIPLINE_KIND_DISCIPLINE,
        "pm": journal_pb2.DISCIPLINE_KIND_PM,
        "up": journal_pb2.DISCIPLINE_KIND_UP,
        "pp": journal_pb2.DISCIPLINE_KIND_PP,
    }.items():
        response = await client.post(
            "/api/v1/disciplines", json={"name": "Практика", "kind": kind}, headers=bearer()
        )
        assert response.status_code == 201
        request = fakes.journal.last("CreateDiscipline").request
        assert (request.kind, request.code) == (enum, "")


async def test_assign_teaching_load(client, bearer, fakes) -> None:
    ids = {k: str(uuid.uuid4()) for k in ("teacher_id", "group_id", "discipline_id")}
    load_id = str(uuid.uuid4())
    fakes.journal.reply(
        "AssignTeachingLoad",
        journal_service_pb2.AssignTeachingLoadResponse(load=journal_pb2.TeachingLoad(load_id=load_id, **ids)),
    )
    response = await client.post("/api/v1/teaching-loads", json=ids, headers=bearer())
    assert (response.status_code, response.json()) == (201, {"load_id": load_id, **ids, "subgroup_id": None})
    request = fakes.journal.last("AssignTeachingLoad").request
    assert {k: getattr(request, k) for k in ids} == ids


async def test_record_mark_sends_a_local_date_and_returns_iso_dates(client, bearer, fakes) -> None:
    student_id = str(uuid.uuid4())
    mark = make_mark(student_id, value="4")
    fakes.journal.reply("RecordMark", journal_service_pb2.RecordMarkResponse(mark=mark))
    body = {
        "student_id": student_id,
        "group_id": mark.group_id,
        "discipline_id": mark.discipline_id,
        "lesson_date": "2026-10-05",
        "value": "4",
    }
    response = await client.post("/api/v1/marks", json=body, headers=bearer(("teacher",)))
    assert response.status_code == 201
    assert response.json() == {
        "mark_id": mark.mark_id,
        "student_id": student_id,
        "group_id": mark.group_id,
        "discipline_id": mark.discipline_id,
        "teacher_id": mark.teacher_id,
        "lesson_date": "2026-10-05",
        "value": "4",
        "recorded_at": "2026-10-05T09:30:00Z",
        "lesson_id": None,
        "kind_of_work": "unspecified",
        "weight": 1,
    }
    request = fakes.journal.last("RecordMark").request
    assert (request.lesson_date.year, request.lesson_date.month, request.lesson_date.day) == (2026, 10, 5)
    assert (request.student_id, request.value) == (student_id, "4")


async def test_student_marks_is_the_diary(client, bearer, fakes) -> None:
    student_id = str(uuid.uuid4())
    unset_time = make_mark(student_id, value="н")
    unset_time.ClearField("recorded_at")
    marks = [make_mark(student_id), unset_time]
    maths = journal_pb2.Discipline(
        discipline_id=marks[0].discipline_id,
        code="ОП.01",
        name="Математика",
        kind=journal_pb2.DISCIPLINE_KIND_DISCIPLINE,
    )
    fakes.journal.reply(
        "ListStudentMarks", journal_service_pb2.ListStudentMarksResponse(marks=marks, disciplines=[maths])
    )
    response = await client.get(f"/api/v1/students/{student_id}/marks", headers=bearer(("parent",)))
    assert response.status_code == 200
    body = response.json()
    assert [m["value"] for m in body["marks"]] == ["5", "н"]
    assert body["marks"][1]["recorded_at"] is None
    assert body["disciplines"] == [
        {"discipline_id": maths.discipline_id, "code": "ОП.01", "name": "Математика", "kind": "discipline"}
    ]
    assert fakes.journal.last("ListStudentMarks").request.student_id == student_id


async def test_my_children(client, bearer, fakes) -> None:
    parent, child = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.identity.reply(
        "ListChildren",
        identity_service_pb2.ListChildrenResponse(
            children=[
                identity_pb2.Person(
                    person_id=child,
                    username="kuznetsov.p",
                    role=identity_pb2.ROLE_STUDENT,
                    last_name="Кузнецов",
                    first_name="Пётр",
                )
            ]
        ),
    )
    headers = bearer(("parent",), parent)
    response = await client.get("/api/v1/me/children", headers=headers)
    assert response.status_code == 200
    assert response.json() == {
        "children": [
            {
                "person_id": child,
                "username": "kuznetsov.p",
                "role": "student",
                "last_name": "Кузнецов",
                "first_name": "Пётр",
                "middle_name": "",
                "email": "",
            }
        ],
        "access_ended_student_ids": [],
    }
    call = fakes.identity.last("ListChildren")
    assert call.request.parent_id == parent
    assert call.metadata["authorization"] == headers["Authorization"]


async def test_my_children_refused_by_identity_is_403(client, bearer, fakes) -> None:
    fakes.identity.fail(
        "ListChildren", grpc.StatusCode.PERMISSION_DENIED, "Список детей недоступен", "children_not_visible"
    )
    response = await client.get("/api/v1/me/children", headers=bearer(("parent",)))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "children_not_visible"


async def test_my_notifications(client, bearer, fakes) -> None:
    recipient, student = str(uuid.uuid4()), str(uuid.uuid4())
    notification = messaging_pb2.Notification(
        notification_id=str(uuid.uuid4()),
        recipient_id=recipient,
        kind=messaging_pb2.NOTIFICATION_KIND_MARK_RECORDED,
        student_id=student,
        discipline_id=str(uuid.uuid4()),
        mark_value="5",
        lesson_date=common_pb2.LocalDate(year=2026, month=9, day=1),
        source_event_id=str(uuid.uuid4()),
        created_at=ts("2026-09-01T12:00:00+00:00"),
    )
    fakes.messaging.reply(
        "ListNotifications", messaging_service_pb2.ListNotificationsResponse(notifications=[notification])
    )
    response = await client.get("/api/v1/me/notifications", headers=bearer(("parent",), recipient))
    assert response.status_code == 200
    (item,) = response.json()["notifications"]
    assert item["kind"] == "mark_recorded"
    assert item["lesson_date"] == "2026-09-01"
    assert item["created_at"] == "2026-09-01T12:00:00Z"
    assert item["student_id"] == student
    assert fakes.messaging.last("ListNotifications").request.page_size == 0

    response = await client.get("/api/v1/me/notifications?page_size=20", headers=bearer(("parent",)))
    assert response.status_code == 200
    assert fakes.messaging.last("ListNotifications").request.page_size == 20


async def test_group_mark_summary(client, bearer, fakes) -> None:
    group_id = str(uuid.uuid4())
    fakes.reports.reply(
        "GetGroupMarkSummary",
        reports_service_pb2.GetGroupMarkSummaryResponse(
            group_id=group_id,
            marks_count=3,
            counts=[
                reports_service_pb2.ValueCount(value="4", count=1),
                reports_service_pb2.ValueCount(value="5", count=2),
            ],
            last_recorded_at=ts("2026-10-06T08:00:00+00:00"),
        ),
    )
    response = await client.get(
        f"/api/v1/reports/groups/{group_id}/mark-summary", headers=bearer(("deputy",))
    )
    assert response.status_code == 200
    assert response.json() == {
        "group_id": group_id,
        "marks_count": 3,
        "counts": [{"value": "4", "count": 1}, {"value": "5", "count": 2}],
        "last_recorded_at": "2026-10-06T08:00:00Z",
    }
    assert fakes.reports.last("GetGroupMarkSummary").request.group_id == group_id


async def test_group_mark_summary_of_an_empty_group(client, bearer, fakes) -> None:
    group_id = str(uuid.uuid4())
    fakes.reports.reply(
        "GetGroupMarkSummary", reports_service_pb2.GetGroupMarkSummaryResponse(group_id=group_id)
    )
    response = await client.get(
        f"/api/v1/reports/groups/{group_id}/mark-summary", headers=bearer(("deputy",))
    )
    assert response.json() == {"group_id": group_id, "marks_count": 0, "counts": [], "last_recorded_at": None}


async def test_audit_passes_filters(client, bearer, fakes) -> None:
    subject = str(uuid.uuid4())
    record = archive_pb2.AuditRecord(
        sequence=7,
        event_id=str(uuid.uuid4()),
        occurred_at=ts("2026-10-05T09:30:00+00:00"),
        actor_id=str(uuid.uuid4()),
        action="mark.recorded",
        resource_type="mark",
        resource_id="m-1",
        subject_person_id=subject,
        service="journal",
        correlation_id="c-1",
        chain_hash="ab" * 32,
    )
    fakes.archive.reply("ListAuditRecords", archive_service_pb2.ListAuditRecordsResponse(records=[record]))
    response = await client.get(
        "/api/v1/audit",
        params={"resource_type": "mark", "resource_id": "m-1", "subject_person_id": subject, "page_size": 10},
        headers=bearer(("director",)),
    )
    assert response.status_code == 200
    (item,) = response.json()["records"]
    assert item["sequence"] == 7
    assert item["occurred_at"] == "2026-10-05T09:30:00Z"
    assert item["chain_hash"] == "ab" * 32
    request = fakes.archive.last("ListAuditRecords").request
    assert (request.resource_type, request.resource_id, request.subject_person_id, request.page_size) == (
        "mark",
        "m-1",
        subject,
        10,
    )


async def test_audit_without_filters_sends_empty_ones(client, bearer, fakes) -> None:
    response = await client.get("/api/v1/audit", headers=bearer(("admin",)))
    assert (response.status_code, response.json()) == (200, {"records": []})
    request = fakes.archive.last("ListAuditRecords").request
    assert (request.resource_type, request.resource_id, request.subject_person_id, request.page_size) == (
        "",
        "",
        "",
        0,
    )


async def test_openapi_and_docs_are_served(client) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    paths = spec["paths"]
    for path in (
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/students/{student_id}/guardians",
        "/api/v1/groups",
        "/api/v1/groups/{group_id}/students",
        "/api/v1/disciplines",
        "/api/v1/teaching-loads",
        "/api/v1/marks",
        "/api/v1/students/{student_id}/marks",
        "/api/v1/me",
        "/api/v1/me/notifications",
        "/api/v1/reports/groups/{group_id}/mark-summary",
        "/api/v1/audit",
        "/healthz",
    ):
        assert path in paths, path
    assert "/login" not in paths
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    docs = await client.get("/api/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def local(value: str) -> common_pb2.LocalDate:
    day = datetime.fromisoformat(value).date()
    return common_pb2.LocalDate(year=day.year, month=day.month, day=day.day)


def year_2026(year_id: str) -> journal_pb2.AcademicYear:
    return journal_pb2.AcademicYear(
        year_id=year_id,
        name="2026/2027",
        span=journal_pb2.DateSpan(starts_on=local("2026-09-01"), ends_on=local("2027-08-31")),
        semester1=journal_pb2.DateSpan(starts_on=local("2026-09-01"), ends_on=local("2026-12-31")),
        semester2=journal_pb2.DateSpan(starts_on=local("2027-01-12"), ends_on=local("2027-06-30")),
    )


YEAR_JSON = {
    "name": "2026/2027",
    "starts_on": "2026-09-01",
    "ends_on": "2027-08-31",
    "semester1": {"starts_on": "2026-09-01", "ends_on": "2026-12-31"},
    "semester2": {"starts_on": "2027-01-12", "ends_on": "2027-06-30"},
}


async def test_open_and_list_academic_years(client, bearer, fakes) -> None:
    year_id = str(uuid.uuid4())
    fakes.journal.reply(
        "OpenAcademicYear", journal_service_pb2.OpenAcademicYearResponse(year=year_2026(year_id))
    )
    response = await client.post("/api/v1/academic-years", json=YEAR_JSON, headers=bearer())
    assert (response.status_code, response.json()) == (201, {"year_id": year_id, **YEAR_JSON})
    request = fakes.journal.last("OpenAcademicYear").request
    assert (request.name, request.span.starts_on.month, request.semester2.starts_on.day) == (
        "2026/2027",
        9,
        12,
    )

    fakes.journal.reply(
        "ListAcademicYears", journal_service_pb2.ListAcademicYearsResponse(years=[year_2026(year_id)])
    )
    response = await client.get("/api/v1/academic-years", headers=bearer(("teacher",)))
    assert (response.status_code, response.json()) == (200, {"years": [{"year_id": year_id, **YEAR_JSON}]})

    fakes.journal.fail(
        "OpenAcademicYear", grpc.StatusCode.INVALID_ARGUMENT, "Семестры…", "semesters_out_of_order"
    )
    response = await client.post("/api/v1/academic-years", json=YEAR_JSON, headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (400, "semesters_out_of_order")


async def test_group_calendar_is_put_whole_and_read_back(client, bearer, fakes) -> None:
    group_id, year_id = str(uuid.uuid4()), str(uuid.uuid4())
    spans = [
        journal_pb2.CalendarSpan(
            kind=journal_pb2.CALENDAR_SPAN_KIND_THEORY,
            span=journal_pb2.DateSpan(starts_on=local("2026-09-01"), ends_on=local("2026-12-20")),
        ),
        journal_pb2.CalendarSpan(
            kind=journal_pb2.CALENDAR_SPAN_KIND_HOLIDAYS,
            span=journal_pb2.DateSpan(starts_on=local("2026-12-31"), ends_on=local("2027-01-11")),
        ),
    ]
    body = {
        "spans": [
            {"kind": "holidays", "starts_on": "2026-12-31", "ends_on": "2027-01-11"},
            {"kind": "theory", "starts_on": "2026-09-01", "ends_on": "2026-12-20"},
        ]
    }
    fakes.journal.reply("SetGroupCalendar", journal_service_pb2.SetGroupCalendarResponse(spans=spans))
    url = f"/api/v1/groups/{group_id}/calendar/{year_id}"
    response = await client.put(url, json=body, headers=bearer())
    assert response.status_code == 200
    assert response.json() == {"year": None, "spans": [body["spans"][1], body["spans"][0]]}
    request = fakes.journal.last("SetGroupCalendar").request
    assert (request.group_id, request.year_id) == (group_id, year_id)
    assert [s.kind for s in request.spans] == [
        journal_pb2.CALENDAR_SPAN_KIND_HOLIDAYS,
        journal_pb2.CALENDAR_SPAN_KIND_THEORY,
    ]

    fakes.journal.reply(
        "GetGroupCalendar", journal_service_pb2.GetGroupCalendarResponse(year=year_2026(year_id), spans=spans)
    )
    response = await client.get(url, headers=bearer(("teacher",)))
    assert response.status_code == 200
    assert response.json()["year"] == {"year_id": year_id, **YEAR_JSON}
    assert [s["kind"] for s in response.json()["spans"]] == ["theory", "holidays"]

    response = await client.put(
        url,
        json={"spans": [{"kind": "vacation", "starts_on": "2026-09-01", "ends_on": "2026-09-02"}]},
        headers=bearer(),
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
    fakes.journal.fail("GetGroupCalendar", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(url, headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "group_not_found")


async def test_bell_schedule_speaks_clock_times(client, bearer, fakes) -> None:
    pairs = [
        journal_pb2.BellPair(number=1, starts_at_minute=510, ends_at_minute=600),
        journal_pb2.BellPair(number=2, starts_at_minute=610, ends_at_minute=700),
    ]
    expected = {
        "pairs": [
            {"number": 1, "starts_at": "08:30", "ends_at": "10:00"},
            {"number": 2, "starts_at": "10:10", "ends_at": "11:40"},
        ]
    }
    fakes.journal.reply("SetBellSchedule", journal_service_pb2.SetBellScheduleResponse(pairs=pairs))
    response = await client.put("/api/v1/bell-schedule", json=expected, headers=bearer())
    assert (response.status_code, response.json()) == (200, expected)
    sent = fakes.journal.last("SetBellSchedule").request.pairs
    assert [(p.number, p.starts_at_minute, p.ends_at_minute) for p in sent] == [(1, 510, 600), (2, 610, 700)]

    fakes.journal.reply("GetBellSchedule", journal_service_pb2.GetBellScheduleResponse(pairs=pairs))
    response = await client.get("/api/v1/bell-schedule", headers=bearer(("student",)))
    assert (response.status_code, response.json()) == (200, expected)

    bad = {"pairs": [{"number": 9, "starts_at": "08:30", "ends_at": "10:00"}]}
    response = await client.put("/api/v1/bell-schedule", json=bad, headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
    fakes.journal.fail("SetBellSchedule", grpc.StatusCode.INVALID_ARGUMENT, "Пара №2…", "pairs_overlap")
    response = await client.put("/api/v1/bell-schedule", json=expected, headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (400, "pairs_overlap")


async def test_patch_group_sends_only_the_fields_given(client, bearer, fakes) -> None:
    group_id, teacher_id = str(uuid.uuid4()), str(uuid.uuid4())
    group = journal_pb2.Group(
        group_id=group_id,
        name="ИС-21",
        course_year=2,
        specialty_code="09.02.07",
        specialty_name="Информационные системы и программирование",
        study_form=journal_pb2.STUDY_FORM_FULL_TIME,
        class_teacher_id=teacher_id,
    )
    fakes.journal.reply("UpdateGroup", journal_service_pb2.UpdateGroupResponse(group=group))
    body = {
        "course_year": 2,
        "specialty_code": "09.02.07",
        "study_form": "full_time",
        "class_teacher_id": teacher_id,
    }
    response = await client.patch(f"/api/v1/groups/{group_id}", json=body, headers=bearer())
    assert response.status_code == 200
    assert response.json() == {
        "group_id": group_id,
        "name": "ИС-21",
        "course_year": 2,
        "specialty_code": "09.02.07",
        "specialty_name": "Информационные системы и программирование",
        "study_form": "full_time",
        "class_teacher_id": teacher_id,
    }
    sent = fakes.journal.last("UpdateGroup").request
    assert sent.group_id == group_id
    assert not sent.attributes.HasField("specialty_name")
    assert (sent.attributes.course_year, sent.attributes.study_form) == (2, journal_pb2.STUDY_FORM_FULL_TIME)
    assert sent.attributes.class_teacher_id == teacher_id

    fakes.journal.reply(
        "UpdateGroup",
        journal_service_pb2.UpdateGroupResponse(group=journal_pb2.Group(group_id=group_id, name="ИС-21")),
    )
    response = await client.patch(
        f"/api/v1/groups/{group_id}", json={"class_teacher_id": None}, headers=bearer()
    )
    assert response.json()["class_teacher_id"] is None and response.json()["study_form"] is None
    sent = fakes.journal.last("UpdateGroup").request.attributes
    assert sent.HasField("class_teacher_id") and sent.class_teacher_id == ""
    assert not sent.HasField("course_year") and sent.study_form == journal_pb2.STUDY_FORM_UNSPECIFIED

    response = await client.patch(f"/api/v1/groups/{group_id}", json={"course_year": 7}, headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
    fakes.journal.fail("UpdateGroup", grpc.StatusCode.INVALID_ARGUMENT, "Код…", "invalid_specialty_code")
    response = await client.patch(
        f"/api/v1/groups/{group_id}", json={"specialty_code": "9.2.7"}, headers=bearer()
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_specialty_code")


async def test_subgroups_of_a_group(client, bearer, fakes) -> None:
    group_id, discipline_id, subgroup_id, student_id = (str(uuid.uuid4()) for _ in range(4))
    subgroup = journal_pb2.Subgroup(
        subgroup_id=subgroup_id,
        group_id=group_id,
        discipline_id=discipline_id,
        name="подгруппа 1",
        student_ids=[student_id],
    )
    expected = {
        "subgroup_id": subgroup_id,
        "group_id": group_id,
        "discipline_id": discipline_id,
        "name": "подгруппа 1",
        "student_ids": [student_id],
    }
    fakes.journal.reply("CreateSubgroup", journal_service_pb2.CreateSubgroupResponse(subgroup=subgroup))
    url = f"/api/v1/groups/{group_id}/subgroups"
    body = {"discipline_id": discipline_id, "name": "подгруппа 1", "student_ids": [student_id]}
    response = await client.post(url, json=body, headers=bearer())
    assert (response.status_code, response.json()) == (201, expected)
    sent = fakes.journal.last("CreateSubgroup").request
    assert (sent.group_id, sent.discipline_id, list(sent.student_ids)) == (
        group_id,
        discipline_id,
        [student_id],
    )

    fakes.journal.reply("ListSubgroups", journal_service_pb2.ListSubgroupsResponse(subgroups=[subgroup]))
    response = await client.get(url, headers=bearer(("teacher",)))
    assert (response.status_code, response.json()) == (200, {"subgroups": [expected]})

    fakes.journal.fail(
        "CreateSubgroup", grpc.StatusCode.FAILED_PRECONDITION, "Обучающийся…", "student_in_another_subgroup"
    )
    response = await client.post(url, json=body, headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (409, "student_in_another_subgroup")
    response = await client.post(url, json={**body, "name": "a\x00b"}, headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_text")


def lesson_pb(lesson_id: str, group_id: str, discipline_id: str, **changes) -> journal_pb2.Lesson:
    fields = {
        "lesson_id": lesson_id,
        "group_id": group_id,
        "discipline_id": discipline_id,
        "teacher_id": "t-1",
        "lesson_date": local("2026-10-14"),
        "pair_number": 2,
        "topic": "Пределы",
        "kind": journal_pb2.LESSON_KIND_PRACTICAL,
        "homework": "№ 12",
        "homework_deadline": local("2026-10-21"),
    }
    fields.update(changes)
    return journal_pb2.Lesson(**fields)


async def test_record_lesson_is_201_when_new_200_on_a_repeat_and_refusals_are_mapped(
    client, bearer, fakes
) -> None:
    lesson_id, group_id, discipline_id, subgroup_id = (str(uuid.uuid4()) for _ in range(4))
    lesson = lesson_pb(lesson_id, group_id, discipline_id)
    body = {
        "group_id": group_id,
        "subgroup_id": subgroup_id,
        "discipline_id": discipline_id,
        "lesson_date": "2026-10-14",
        "pair_number": 2,
        "topic": "Пределы",
        "kind": "practical",
        "homework": "№ 12",
        "homework_deadline": "2026-10-21",
    }
    expected = {
        "lesson_id": lesson_id,
        "group_id": group_id,
        "subgroup_id": None,
        "discipline_id": discipline_id,
        "teacher_id": "t-1",
        "lesson_date": "2026-10-14",
        "pair_number": 2,
        "topic": "Пределы",
        "kind": "practical",
        "homework": "№ 12",
        "homework_deadline": "2026-10-21",
        "ktp_topic_id": None,
        "homework_kind": None,
        "homework_student_ids": [],
    }
    fakes.journal.reply("RecordLesson", journal_service_pb2.RecordLessonResponse(lesson=lesson, created=True))
    response = await client.post("/api/v1/lessons", json=body, headers=bearer(("teacher",)))
    assert (response.status_code, response.json()) == (201, {"lesson": expected, "created": True})
    sent = fakes.journal.last("RecordLesson").request
    assert (sent.subgroup_id, sent.kind, sent.lesson_date, sent.homework_deadline) == (
        subgroup_id,
        journal_pb2.LESSON_KIND_PRACTICAL,
        local("2026-10-14"),
        local("2026-10-21"),
    )

    fakes.journal.reply(
        "RecordLesson", journal_service_pb2.RecordLessonResponse(lesson=lesson, created=False)
    )
    response = await client.post("/api/v1/lessons", json=body, headers=bearer(("teacher",)))
    assert (response.status_code, response.json()["created"]) == (200, False)
    without = {k: v for k, v in body.items() if k not in {"subgroup_id", "homework", "homework_deadline"}}
    await client.post("/api/v1/lessons", json=without, headers=bearer(("teacher",)))
    sent = fakes.journal.last("RecordLesson").request
    assert (sent.subgroup_id, sent.homework, sent.HasField("homework_deadline")) == ("", "", False)

    for status, grpc_status, code in [
        (409, grpc.StatusCode.ALREADY_EXISTS, "lesson_slot_taken"),
        (409, grpc.StatusCode.FAILED_PRECONDITION, "not_a_teaching_day"),
        (400, grpc.StatusCode.INVALID_ARGUMENT, "pair_not_in_schedule"),
        (403, grpc.StatusCode.PERMISSION_DENIED, "not_teaching_this_group"),
        (404, grpc.StatusCode.NOT_FOUND, "subgroup_not_found"),
    ]:
        fakes.journal.fail("RecordLesson", grpc_status, "Отказ", code)
        response = await client.post("/api/v1/lessons", json=body, headers=bearer(("teacher",)))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    for bad in ({"kind": "lecturex"}, {"pair_number": 9}, {"topic": "a\x00b"}, {"extra": 1}):
        response = await client.post("/api/v1/lessons", json={**body, **bad}, headers=bearer(("teacher",)))
        assert response.status_code == 400


async def test_group_lessons_between_two_dates(client, bearer, fakes) -> None:
    group_id, discipline_id = str(uuid.uuid4()), str(uuid.uuid4())
    lessons = [
        lesson_pb("l-1", group_id, discipline_id),
        lesson_pb("l-2", group_id, discipline_id, subgroup_id="s-1", homework="", homework_deadline=None),
    ]
    fakes.journal.reply("ListLessons", journal_service_pb2.ListLessonsResponse(lessons=lessons))
    url = f"/api/v1/groups/{group_id}/lessons?discipline_id={discipline_id}&from=2026-09-01&to=2026-10-15"
    response = await client.get(url, headers=bearer(("class_teacher",)))
    assert response.status_code == 200
    found = response.json()["lessons"]
    assert [(x["lesson_id"], x["subgroup_id"], x["homework_deadline"]) for x in found] == [
        ("l-1", None, "2026-10-21"),
        ("l-2", "s-1", None),
    ]
    sent = fakes.journal.last("ListLessons").request
    assert (sent.group_id, sent.discipline_id, sent.from_date, sent.to_date) == (
        group_id,
        discipline_id,
        local("2026-09-01"),
        local("2026-10-15"),
    )
    fakes.journal.fail("ListLessons", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(url, headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "group_not_found")
    response = await client.get(
        f"/api/v1/groups/{group_id}/lessons?discipline_id={discipline_id}", headers=bearer()
    )
    assert response.status_code == 400


async def test_attendance_of_a_lesson_is_put_whole_and_read_back(client, bearer, fakes) -> None:
    lesson_id, group_id, discipline_id = (str(uuid.uuid4()) for _ in range(3))
    students = sorted(str(uuid.uuid4()) for _ in range(25))
    body = {
        "entries": [
            {"student_id": students[0], "status": "absent", "reason": "illness"},
            {"student_id": students[1], "status": "late"},
            *[{"student_id": s, "status": "present"} for s in students[2:]],
        ]
    }
    stored = [
        journal_pb2.AttendanceEntry(
            student_id=students[0],
            status=journal_pb2.ATTENDANCE_STATUS_ABSENT,
            reason=journal_pb2.ABSENCE_REASON_ILLNESS,
        ),
        journal_pb2.AttendanceEntry(student_id=students[1], status=journal_pb2.ATTENDANCE_STATUS_LATE),
        *[
            journal_pb2.AttendanceEntry(student_id=s, status=journal_pb2.ATTENDANCE_STATUS_PRESENT)
            for s in students[2:]
        ],
    ]
    fakes.journal.reply("RecordAttendance", journal_service_pb2.RecordAttendanceResponse(entries=stored))
    url = f"/api/v1/lessons/{lesson_id}/attendance"
    response = await client.put(url, json=body, headers=bearer(("teacher",)))
    assert response.status_code == 200
    assert response.json()["entries"][:2] == [
        {"student_id": students[0], "status": "absent", "reason": "illness"},
        {"student_id": students[1], "status": "late", "reason": "unspecified"},
    ]
    assert len(response.json()["entries"]) == 25
    sent = fakes.journal.last("RecordAttendance").request
    assert (sent.lesson_id, len(sent.entries)) == (lesson_id, 25)
    assert (sent.entries[0].status, sent.entries[0].reason, sent.entries[1].reason) == (
        journal_pb2.ATTENDANCE_STATUS_ABSENT,
        journal_pb2.ABSENCE_REASON_ILLNESS,
        journal_pb2.ABSENCE_REASON_UNSPECIFIED,
    )

    fakes.journal.reply(
        "GetAttendance",
        journal_service_pb2.GetAttendanceResponse(
            lesson=lesson_pb(lesson_id, group_id, discipline_id), entries=stored[:1]
        ),
    )
    response = await client.get(url, headers=bearer(("curator",)))
    assert response.status_code == 200
    assert response.json()["lesson"]["lesson_id"] == lesson_id
    assert response.json()["entries"] == [
        {"student_id": students[0], "status": "absent", "reason": "illness"}
    ]

    for status, grpc_status, code in [
        (409, grpc.StatusCode.FAILED_PRECONDITION, "student_not_in_subgroup"),
        (400, grpc.StatusCode.INVALID_ARGUMENT, "reason_without_absence"),
        (403, grpc.StatusCode.PERMISSION_DENIED, "not_teaching_this_group"),
        (404, grpc.StatusCode.NOT_FOUND, "lesson_not_found"),
    ]:
        fakes.journal.fail("RecordAttendance", grpc_status, "Отказ", code)
        response = await client.put(url, json=body, headers=bearer(("teacher",)))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    for bad in (
        {"entries": [{"student_id": students[0], "status": "sick"}]},
        {"entries": [{"student_id": students[0], "status": "absent", "reason": "грипп"}]},
        {"entries": [{"student_id": "не-ид", "status": "present"}]},
    ):
        response = await client.put(url, json=bad, headers=bearer(("teacher",)))
        assert response.status_code == 400


async def test_the_diary_exposes_each_disciplines_averages(client, bearer, fakes) -> None:
    student_id = str(uuid.uuid4())
    maths, absences_only = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "ListStudentMarks",
        journal_service_pb2.ListStudentMarksResponse(
            marks=[make_mark(student_id)],
            averages=[
                journal_service_pb2.DisciplineAverage(discipline_id=maths, mean="4.33", weighted_mean="4.50"),
                journal_service_pb2.DisciplineAverage(discipline_id=absences_only),
            ],
        ),
    )
    response = await client.get(f"/api/v1/students/{student_id}/marks", headers=bearer(("student",)))
    assert response.status_code == 200
    # Exact decimals as the journal computed them (2 places), null when no mark counts.
    assert response.json()["averages"] == [
        {"discipline_id": maths, "mean": "4.33", "weighted_mean": "4.50"},
        {"discipline_id": absences_only, "mean": None, "weighted_mean": None},
    ]


async def test_a_mark_on_a_lesson_sends_the_lesson_kind_and_weight(client, bearer, fakes) -> None:
    student_id, lesson_id = str(uuid.uuid4()), str(uuid.uuid4())
    mark = make_mark(
        student_id,
        value="3",
        lesson_id=lesson_id,
        kind_of_work=journal_pb2.KIND_OF_WORK_CONTROL_WORK,
        weight=3,
    )
    fakes.journal.reply("RecordMark", journal_service_pb2.RecordMarkResponse(mark=mark))
    body = {
        "student_id": student_id,
        "lesson_id": lesson_id,
        "value": "3",
        "kind_of_work": "control_work",
        "weight": 3,
    }
    response = await client.post("/api/v1/marks", json=body, headers=bearer(("teacher",)))
    assert response.status_code == 201
    out = response.json()
    assert (out["lesson_id"], out["kind_of_work"], out["weight"]) == (lesson_id, "control_work", 3)
    request = fakes.journal.last("RecordMark").request
    assert (request.lesson_id, request.kind_of_work, request.weight) == (
        lesson_id,
        journal_pb2.KIND_OF_WORK_CONTROL_WORK,
        3,
    )
    # Group, discipline and date come from the lesson: the gateway sends none of them.
    assert (request.group_id, request.discipline_id, request.HasField("lesson_date")) == ("", "", False)
    # A bad weight or kind never reaches the journal.
    calls = len(fakes.journal.calls)
    for bad in ({"weight": 6}, {"weight": 0}, {"kind_of_work": "эссе"}):
        response = await client.post("/api/v1/marks", json={**body, **bad}, headers=bearer(("teacher",)))
        assert response.status_code == 400, bad
    assert len(fakes.journal.calls) == calls


async def test_groups_are_listed_by_name_and_read_one_by_one(client, bearer, fakes) -> None:
    group_id, teacher_id = str(uuid.uuid4()), str(uuid.uuid4())
    group = journal_pb2.Group(
        group_id=group_id,
        name="ИС-21",
        course_year=2,
        specialty_code="09.02.07",
        specialty_name="Информационные системы и программирование",
        study_form=journal_pb2.STUDY_FORM_FULL_TIME,
        class_teacher_id=teacher_id,
    )
    expected = {
        "group_id": group_id,
        "name": "ИС-21",
        "course_year": 2,
        "specialty_code": "09.02.07",
        "specialty_name": "Информационные системы и программирование",
        "study_form": "full_time",
        "class_teacher_id": teacher_id,
    }
    bare = journal_pb2.Group(group_id=str(uuid.uuid4()), name="ТМ-11")
    fakes.journal.reply("ListGroups", journal_service_pb2.ListGroupsResponse(groups=[group, bare]))
    response = await client.get(
        "/api/v1/groups", params={"name_prefix": "ИС", "page_size": 50}, headers=bearer(("teacher",))
    )
    assert response.status_code == 200
    listed = response.json()["groups"]
    assert listed[0] == expected
    assert (listed[1]["course_year"], listed[1]["study_form"], listed[1]["class_teacher_id"]) == (None,) * 3
    sent = fakes.journal.last("ListGroups").request
    assert (sent.name_prefix, sent.page_size) == ("ИС", 50)
    await client.get("/api/v1/groups", headers=bearer())
    sent = fakes.journal.last("ListGroups").request
    assert (sent.name_prefix, sent.page_size) == ("", 0)
    for params in ({"page_size": 501}, {"page_size": 0}, {"name_prefix": "И" * 33}):
        response = await client.get("/api/v1/groups", params=params, headers=bearer())
        assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
    fakes.journal.fail("ListGroups", grpc.StatusCode.PERMISSION_DENIED, "Недостаточно прав", "role_required")
    response = await client.get("/api/v1/groups", headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "role_required")

    fakes.journal.reply("GetGroup", journal_service_pb2.GetGroupResponse(group=group))
    response = await client.get(f"/api/v1/groups/{group_id}", headers=bearer(("director",)))
    assert (response.status_code, response.json()) == (200, expected)
    assert fakes.journal.last("GetGroup").request.group_id == group_id
    fakes.journal.fail("GetGroup", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(f"/api/v1/groups/{group_id}", headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "group_not_found")
    response = await client.get("/api/v1/groups/не-ид", headers=bearer())
    assert response.status_code == 400
