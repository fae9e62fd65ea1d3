"""Portal «Журнал группы»: the grid read from the journal, the grid's saves, the lesson form, refusals."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from gateway.auth.session import SessionCookie
from gateway.resources.lessons import LESSON_KINDS
from gateway.resources.marks import KINDS_OF_WORK
from gateway.web.journal import HOMEWORK_KIND_LABELS, HOMEWORK_KINDS, KIND_OF_WORK_LABELS, LESSON_KIND_LABELS

GROUP = str(uuid.uuid4())
DISCIPLINE = str(uuid.uuid4())
LESSON_1 = str(uuid.uuid4())
LESSON_2 = str(uuid.uuid4())
ANNA = str(uuid.uuid4())
BORIS = str(uuid.uuid4())
PAGE = f"/journal/{GROUP}/{DISCIPLINE}"


async def log_in(client, idp, *, roles=("teacher",), subject=None):
    """Run the portal's login round trip with the fake Keycloak; return the subject."""
    subject = subject or str(uuid.uuid4())
    started = await client.get("/login")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    idp.issue_tokens(subject, roles, nonce=query["nonce"])
    await client.get("/auth/callback", params={"code": "code-1", "state": query["state"]})
    return subject


def token_of(client) -> str:
    """Return the CSRF token of the client's session as the portal computes it."""
    session_id = SessionCookie("test-session-secret", secure=False).load(
        client.cookies.get("ejournal_session")
    )
    assert session_id
    return hmac.new(b"test-session-secret", f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def college_today() -> date:
    """Return today in the college's time zone (the settings' default), as the portal counts days."""
    return datetime.now(ZoneInfo("Europe/Moscow")).date()


def local(day: date) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=day.year, month=day.month, day=day.day)


def lesson(lesson_id: str, day: date, pair: int, topic: str, **extra) -> journal_pb2.Lesson:
    return journal_pb2.Lesson(
        lesson_id=lesson_id,
        group_id=GROUP,
        discipline_id=DISCIPLINE,
        lesson_date=local(day),
        pair_number=pair,
        topic=topic,
        kind=journal_pb2.LESSON_KIND_LECTURE,
        **extra,
    )


def a_journal(fakes) -> None:
    """Two lessons, two students (Борис has a 5 and a 4 on lesson 1, Анна was absent on lesson 2)."""
    today = college_today()
    j = fakes.journal
    j.reply(
        "GetGroup",
        journal_service_pb2.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-21")),
    )
    j.reply(
        "ListDisciplines",
        journal_service_pb2.ListDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=DISCIPLINE, code="ОП.01", name="Математика")]
        ),
    )
    cell = journal_service_pb2.CellMark
    j.reply(
        "GetJournalPage",
        journal_service_pb2.GetJournalPageResponse(
            student_ids=[BORIS, ANNA],
            lessons=[
                lesson(LESSON_1, today - timedelta(days=7), 1, "Пределы"),
                lesson(LESSON_2, today, 2, "Производная", homework="№ 12–15"),
            ],
            cells=journal_service_pb2.PageCells(
                student=[0, 1],  # Boris at the first lesson, Anna at the second
                lesson=[0, 1],
                status=[journal_pb2.ATTENDANCE_STATUS_UNSPECIFIED, journal_pb2.ATTENDANCE_STATUS_ABSENT],
                reason=[journal_pb2.ABSENCE_REASON_UNSPECIFIED, journal_pb2.ABSENCE_REASON_ILLNESS],
            ),
            marks=journal_service_pb2.PageMarks(
                cell=[0, 0],
                mark_id=["", ""],
                value=["5", "4"],
                kind_of_work=[journal_pb2.KIND_OF_WORK_CONTROL_WORK, journal_pb2.KIND_OF_WORK_UNSPECIFIED],
                weight=[2, 1],
            ),
            marks_without_lesson=[
                journal_service_pb2.DatedMark(
                    student_id=ANNA, discipline_id=DISCIPLINE, lesson_date=local(today), mark=cell(value="3")
                )
            ],
            lessons_with_attendance=[LESSON_2],
            averages=journal_service_pb2.PageAverages(mean=["4.50", ""], weighted_mean=["4.67", ""]),
        ),
    )
    j.reply(
        "GetKtp",
        journal_service_pb2.GetKtpResponse(
            ktp=journal_service_pb2.Ktp(
                topics=[
                    journal_service_pb2.KtpTopic(
                        topic_id=str(uuid.uuid4()), position=1, title="Тема 1.1", hours=2
                    )
                ]
            )
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                identity_service_pb2.PersonName(person_id=BORIS, last_name="Борисов", first_name="Борис"),
                identity_service_pb2.PersonName(person_id=ANNA, last_name="Аннина", first_name="Анна"),
            ]
        ),
    )


def test_every_lesson_kind_and_kind_of_work_has_a_russian_label() -> None:
    assert set(LESSON_KIND_LABELS) == set(LESSON_KINDS.names)
    assert set(HOMEWORK_KIND_LABELS) == set(HOMEWORK_KINDS.names)
    assert set(KIND_OF_WORK_LABELS) == set(KINDS_OF_WORK.names)


async def test_the_teacher_reads_the_grid_with_marks_absences_and_averages(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    response = await client.get(PAGE)
    assert response.status_code == 200
    page = response.text
    assert "Журнал: ИС-21 — ОП.01 Математика" in page
    assert 'data-editable="1"' in page and "journal.js" in page
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.count('<tr data-student="') == 2
    assert page.index("Аннина Анна") < page.index("Борисов Борис")  # rows by name
    assert f'<td class="cell" data-lesson="{LESSON_1}"' in page
    assert '<span class="mark" title="Контрольная работа, вес 2">5<sub>×2</sub></span>' in page
    assert '<span class="mark" title="Ответ на занятии, вес 1">4</span>' in page
    assert 'data-status="absent" data-reason="illness"' in page and '<span class="att">н</span>' in page
    # Attendance taken at lesson 2 only: Борис, with no cell there, was present; at lesson 1 nobody is marked.
    assert page.count('data-status="present"') == 1
    assert f'data-lesson="{LESSON_1}"\n          data-status="" data-reason=""' in page
    assert "Без занятия" in page and ">3</span>" in page
    assert "4.50" in page and "4.67" in page
    assert 'title="Производная · Задание: № 12–15"' in page
    assert "Записать занятие" in page and 'name="csrf_token"' in page
    request = fakes.journal.last("GetJournalPage").request
    assert (request.group_id, request.discipline_id, request.subgroup_id) == (GROUP, DISCIPLINE, "")
    assert request.date_to == local(college_today())
    assert request.date_from == local(college_today() - timedelta(days=56))
    assert list(fakes.identity.last("GetPeople").request.person_ids) == [BORIS, ANNA]


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator", "class_teacher"])
async def test_the_administration_and_class_teachers_read_it_without_editing(
    client, idp, fakes, role
) -> None:
    await log_in(client, idp, roles=(role,))
    a_journal(fakes)
    response = await client.get(PAGE)
    page = response.text
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert 'data-editable="0"' in page
    assert "только для чтения" in page
    assert "journal.js" not in page and "Записать занятие" not in page
    assert "5<sub>×2</sub>" in page


@pytest.mark.parametrize("role", ["student", "parent"])
async def test_students_and_parents_get_the_russian_403(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    response = await client.get(PAGE)
    assert response.status_code == 403
    assert "Ошибка 403" in response.text and "Журнал группы доступен преподавателям" in response.text
    assert fakes.journal.calls == []
    for path, data in (("/marks", {"value": "5"}), ("/attendance", {}), ("/lessons", {"topic": "x"})):
        response = await client.post(PAGE + path, data={**data, "csrf_token": token_of(client)})
        assert response.status_code == 403, path
    assert fakes.journal.calls == []


async def test_the_journals_refusal_of_the_page_is_the_russian_page(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    fakes.journal.fail(
        "GetJournalPage",
        grpc.StatusCode.PERMISSION_DENIED,
        "Вы не ведёте эту дисциплину в этой группе",
        "not_teaching_this_group",
    )
    response = await client.get(PAGE)
    assert response.status_code == 403 and "Вы не ведёте эту дисциплину" in response.text


async def test_the_page_says_503_when_the_journal_is_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.fail("GetGroup", grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.get(PAGE)
    assert response.status_code == 503
    assert "Сервис временно недоступен" in response.text and "connection refused" not in response.text


@pytest.mark.parametrize(
    "query",
    ["start=31.02.2026", "end=x", "start=10.10.2026&end=01.10.2026", "start=01.01.2024&end=01.01.2026"],
)
async def test_a_bad_period_is_a_russian_400(client, idp, fakes, query) -> None:
    await log_in(client, idp)
    response = await client.get(f"{PAGE}?{query}")
    assert response.status_code == 400 and "Период" in response.text
    assert fakes.journal.calls == []


async def test_a_subgroup_is_asked_for_and_other_subgroups_lessons_are_greyed(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    subgroup, other = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "ListSubgroups",
        journal_service_pb2.ListSubgroupsResponse(
            subgroups=[
                journal_pb2.Subgroup(
                    subgroup_id=subgroup,
                    group_id=GROUP,
                    discipline_id=DISCIPLINE,
                    name="подгруппа 1",
                    student_ids=[ANNA],
                )
            ]
        ),
    )
    page = (await client.get(f"{PAGE}?subgroup={subgroup}")).text
    assert fakes.journal.last("GetJournalPage").request.subgroup_id == subgroup
    assert f'<option value="{subgroup}" selected>подгруппа 1</option>' in page
    await client.get(f"{PAGE}?subgroup={other}")  # not a subgroup of this discipline: the whole group
    assert fakes.journal.last("GetJournalPage").request.subgroup_id == ""
    reply = fakes.journal.responses["GetJournalPage"]
    reply.lessons[1].subgroup_id = subgroup
    whole = (await client.get(PAGE)).text
    assert whole.count('class="cell off"') == 1  # Борис is not in подгруппа 1: its lesson is not his


async def test_students_identity_does_not_name_keep_their_place(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    fakes.identity.fail("GetPeople", grpc.StatusCode.UNAVAILABLE, "down")
    page = (await client.get(PAGE)).text
    assert "Обучающийся №1" in page and "Обучающийся №2" in page


async def test_a_mark_typed_in_a_cell_goes_to_the_journal_on_the_lesson(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.reply(
        "RecordMark", journal_service_pb2.RecordMarkResponse(mark=journal_pb2.Mark(mark_id="m-1", value="5"))
    )
    form = {
        "lesson_id": LESSON_1,
        "student_id": ANNA,
        "value": " 5 ",
        "kind_of_work": "control_work",
        "weight": "2",
    }
    response = await client.post(f"{PAGE}/marks", data={**form, "csrf_token": token_of(client)})
    assert (response.status_code, response.json()) == (
        200,
        {"ok": True, "mark_id": "m-1", "value": "5", "hint": "Ответ на занятии, вес 1", "weight": 1},
    )
    sent = fakes.journal.last("RecordMark").request
    assert (sent.lesson_id, sent.student_id, sent.value, sent.weight) == (LESSON_1, ANNA, "5", 2)
    assert (sent.group_id, sent.discipline_id) == (GROUP, DISCIPLINE)
    assert sent.kind_of_work == journal_pb2.KIND_OF_WORK_CONTROL_WORK


@pytest.mark.parametrize(
    ("status", "code", "http"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, "unknown_mark_value", 400),
        (grpc.StatusCode.PERMISSION_DENIED, "not_teaching_this_group", 403),
        (grpc.StatusCode.FAILED_PRECONDITION, "student_not_in_subgroup", 409),
    ],
)
async def test_a_refused_mark_comes_back_with_the_journals_reason(
    client, idp, fakes, status, code, http
) -> None:
    await log_in(client, idp)
    fakes.journal.fail("RecordMark", status, "Отметки «7» нет в словаре колледжа", code)
    form = {"lesson_id": LESSON_1, "student_id": ANNA, "value": "7", "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/marks", data=form)
    assert response.status_code == http
    assert response.json() == {"ok": False, "code": code, "message": "Отметки «7» нет в словаре колледжа"}


async def test_a_mark_while_the_journal_is_down_is_a_503_the_grid_retries(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.fail("RecordMark", grpc.StatusCode.UNAVAILABLE, "connection refused")
    form = {"lesson_id": LESSON_1, "student_id": ANNA, "value": "5", "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/marks", data=form)
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable" and "Введённое осталось" in response.json()["message"]


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"lesson_id": "x", "student_id": ANNA, "value": "5"}, "invalid_cell"),
        ({"lesson_id": LESSON_1, "student_id": ANNA, "value": ""}, "invalid_mark_value"),
        ({"lesson_id": LESSON_1, "student_id": ANNA, "value": "5", "weight": "9"}, "invalid_weight"),
        (
            {"lesson_id": LESSON_1, "student_id": ANNA, "value": "5", "kind_of_work": "nap"},
            "invalid_kind_of_work",
        ),
    ],
)
async def test_a_malformed_cell_is_refused_before_the_journal(client, idp, fakes, form, code) -> None:
    await log_in(client, idp)
    response = await client.post(f"{PAGE}/marks", data={**form, "csrf_token": token_of(client)})
    assert response.status_code == 400 and response.json()["code"] == code
    assert fakes.journal.calls == []


async def test_the_grids_saves_need_the_sessions_csrf_token(client, idp, fakes) -> None:
    await log_in(client, idp)
    for path in ("/marks", "/attendance", "/lessons"):
        response = await client.post(PAGE + path, data={"lesson_id": LESSON_1, "csrf_token": "forged"})
        assert response.status_code == 403 and "Форма устарела" in response.text, path
    assert fakes.journal.calls == []


async def test_an_expired_session_is_a_redirect_the_grid_recognises(client, fakes) -> None:
    response = await client.post(f"{PAGE}/marks", data={"value": "5"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_the_grid_can_fetch_the_token_of_a_new_session(client, idp) -> None:
    await log_in(client, idp)
    response = await client.get("/journal/token")
    assert response.json() == {"csrf_token": token_of(client)}
    assert response.headers["cache-control"] == "no-store"


async def test_the_columns_attendance_is_one_request_with_reasons_kept(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.reply(
        "RecordAttendance",
        journal_service_pb2.RecordAttendanceResponse(
            entries=[
                journal_pb2.AttendanceEntry(student_id=ANNA, status=journal_pb2.ATTENDANCE_STATUS_ABSENT),
                journal_pb2.AttendanceEntry(student_id=BORIS, status=journal_pb2.ATTENDANCE_STATUS_PRESENT),
            ]
        ),
    )
    form = {
        "lesson_id": LESSON_2,
        "entry": [f"{ANNA}:absent:illness", f"{BORIS}:present"],
        "csrf_token": token_of(client),
    }
    response = await client.post(f"{PAGE}/attendance", data=form)
    assert response.json() == {"ok": True, "entries": {ANNA: "absent", BORIS: "present"}}
    sent = fakes.journal.last("RecordAttendance").request
    assert sent.lesson_id == LESSON_2
    assert [(e.student_id, e.status, e.reason) for e in sent.entries] == [
        (ANNA, journal_pb2.ATTENDANCE_STATUS_ABSENT, journal_pb2.ABSENCE_REASON_ILLNESS),
        (BORIS, journal_pb2.ATTENDANCE_STATUS_PRESENT, journal_pb2.ABSENCE_REASON_UNSPECIFIED),
    ]


@pytest.mark.parametrize("entry", ["x:absent", f"{ANNA}:sleeping", f"{ANNA}:absent:flu"])
async def test_malformed_attendance_is_refused_before_the_journal(client, idp, fakes, entry) -> None:
    await log_in(client, idp)
    form = {"lesson_id": LESSON_2, "entry": [entry], "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/attendance", data=form)
    assert response.status_code == 400 and response.json()["code"] == "invalid_attendance"
    assert fakes.journal.calls == []


async def test_refused_attendance_comes_back_with_the_reason(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.fail(
        "RecordAttendance",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Обучающийся не в этой группе",
        "student_not_in_group",
    )
    form = {"lesson_id": LESSON_2, "entry": [f"{ANNA}:absent"], "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/attendance", data=form)
    assert response.status_code == 409 and response.json()["message"] == "Обучающийся не в этой группе"


LESSON_FORM = {
    "lesson_date": "",
    "pair_number": "2",
    "topic": "Производная сложной функции",
    "kind": "practical",
    "homework": "№ 12–15",
    "homework_deadline": "",
}


async def test_the_lesson_form_records_the_lesson_and_opens_its_column(client, idp, fakes) -> None:
    await log_in(client, idp)
    today = college_today()
    new = str(uuid.uuid4())
    fakes.journal.reply(
        "RecordLesson",
        journal_service_pb2.RecordLessonResponse(lesson=lesson(new, today, 2, "x"), created=True),
    )
    form = {
        **LESSON_FORM,
        "lesson_date": f"{today:%d.%m.%Y}",
        "homework_deadline": f"{today + timedelta(days=7):%d.%m.%Y}",
        "csrf_token": token_of(client),
    }
    response = await client.post(f"{PAGE}/lessons", data=form)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{PAGE}?lesson={new}&recorded=1")
    sent = fakes.journal.last("RecordLesson").request
    assert (sent.group_id, sent.discipline_id, sent.pair_number, sent.topic) == (
        GROUP,
        DISCIPLINE,
        2,
        LESSON_FORM["topic"],
    )
    assert sent.lesson_date == local(today) and sent.kind == journal_pb2.LESSON_KIND_PRACTICAL
    assert sent.homework == "№ 12–15" and sent.homework_deadline == local(today + timedelta(days=7))
    a_journal(fakes)
    opened = (await client.get(response.headers["location"])).text
    assert "Занятие записано" in opened


async def test_a_link_from_today_prefills_the_date_and_pair(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    page = (await client.get(f"{PAGE}?date=2026-11-30&pair=3")).text
    assert 'id="lesson_date" name="lesson_date" value="30.11.2026"' in page
    assert '<option value="3" selected>3</option>' in page


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"lesson_date": "30.02.2026"}, "lesson_date", "Дата занятия"),
        ({"pair_number": "9"}, "pair_number", "Выберите пару"),
        ({"topic": ""}, "topic", "Выберите тему из КТП или впишите её"),
        ({"ktp_topic_id": "x"}, "ktp_topic_id", "Выберите тему из КТП"),
        ({"homework_kind": "nap"}, "homework_kind", "Выберите вид задания"),
        ({"kind": "nap"}, "kind", "Выберите вид занятия"),
        ({"homework_deadline": "завтра"}, "homework_deadline", "Срок задания"),
        ({"homework": "", "homework_deadline": "01.12.2026"}, "homework", "вместе с заданием"),
    ],
)
async def test_a_malformed_lesson_form_comes_back_with_what_was_typed(
    client, idp, fakes, change, field, text
) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    form = {**LESSON_FORM, "lesson_date": "27.11.2026", **change, "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/lessons", data=form)
    assert response.status_code == 400
    assert text in response.text
    assert f'id="{field}" name="{field}"' in response.text.replace(
        'id="lesson_subgroup" name="subgroup_id"', ""
    )
    assert 'aria-invalid="true"' in response.text
    if change.get("topic", None) != "":
        assert "Производная сложной функции" in response.text
    assert [c for c in fakes.journal.calls if c.method == "RecordLesson"] == []


async def test_a_lesson_the_journal_refuses_is_explained_with_the_values_kept(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    fakes.journal.fail(
        "RecordLesson",
        grpc.StatusCode.FAILED_PRECONDITION,
        "На 2-й паре уже записано другое занятие",
        "lesson_slot_taken",
    )
    form = {**LESSON_FORM, "lesson_date": "27.11.2026", "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/lessons", data=form)
    assert response.status_code == 409
    assert "На 2-й паре уже записано другое занятие" in response.text
    assert 'value="Производная сложной функции"' in response.text and "№ 12–15" in response.text


async def test_a_lesson_form_survives_the_journal_being_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    for method in ("RecordLesson", "GetGroup"):
        fakes.journal.fail(method, grpc.StatusCode.UNAVAILABLE, "connection refused")
    form = {**LESSON_FORM, "lesson_date": "27.11.2026", "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/lessons", data=form)
    assert response.status_code == 503
    assert "Журнал сейчас не отвечает" in response.text and "Журнал сейчас недоступен" in response.text
    assert 'value="Производная сложной функции"' in response.text


async def test_the_topic_is_picked_from_the_ktp_and_homework_set_for_chosen_students(
    client, idp, fakes
) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    topic = str(uuid.uuid4())
    fakes.journal.reply(
        "GetKtp",
        journal_service_pb2.GetKtpResponse(
            ktp=journal_service_pb2.Ktp(
                topics=[
                    journal_service_pb2.KtpTopic(
                        topic_id=topic, position=3, title="Тема 1.3. Производная", hours=2
                    )
                ]
            )
        ),
    )
    page = (await client.get(PAGE)).text
    assert f'<option value="{topic}">3. Тема 1.3. Производная (2 ч)</option>' in page
    assert f'name="homework_student_ids" value="{ANNA}"' in page
    ktp = fakes.journal.last("GetKtp").request
    assert (ktp.group_id, ktp.discipline_id, ktp.subgroup_id) == (GROUP, DISCIPLINE, "")
    form = {
        **LESSON_FORM,
        "lesson_date": f"{college_today():%d.%m.%Y}",
        "topic": "",
        "ktp_topic_id": topic,
        "homework_kind": "independent_work",
        "homework_student_ids": [ANNA],
        "csrf_token": token_of(client),
    }
    response = await client.post(f"{PAGE}/lessons", data=form)
    assert response.status_code == 303
    sent = fakes.journal.last("RecordLesson").request
    assert (sent.ktp_topic_id, sent.topic) == (topic, "")
    assert sent.homework_kind == journal_pb2.HOMEWORK_KIND_INDEPENDENT_WORK
    assert list(sent.homework_student_ids) == [ANNA]


async def test_students_are_chosen_only_with_a_homework(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    form = {**LESSON_FORM, "lesson_date": "27.11.2026", "homework": "", "homework_student_ids": [ANNA]}
    response = await client.post(f"{PAGE}/lessons", data={**form, "csrf_token": token_of(client)})
    assert response.status_code == 400 and "Студентов выбирают вместе с заданием" in response.text
    assert f'value="{ANNA}" checked' in response.text  # the choice is kept
    bad = {**LESSON_FORM, "lesson_date": "27.11.2026", "homework_student_ids": ["x"]}
    response = await client.post(f"{PAGE}/lessons", data={**bad, "csrf_token": token_of(client)})
    assert response.status_code == 400 and "Выберите студентов из списка" in response.text
    assert [c for c in fakes.journal.calls if c.method == "RecordLesson"] == []


async def test_a_lesson_form_works_without_a_ktp(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    fakes.journal.fail("GetKtp", grpc.StatusCode.UNAVAILABLE, "down")
    page = (await client.get(PAGE)).text
    assert 'id="ktp_topic_id"' not in page and 'id="topic" name="topic"' in page


async def test_attendance_from_a_partial_page_keeps_the_other_students_stored_entries(
    client, idp, fakes
) -> None:
    await log_in(client, idp)
    other = str(uuid.uuid4())  # in the lesson's group, not on this (subgroup's) page
    fakes.journal.reply(
        "GetAttendance",
        journal_service_pb2.GetAttendanceResponse(
            entries=[
                journal_pb2.AttendanceEntry(student_id=ANNA, status=journal_pb2.ATTENDANCE_STATUS_PRESENT),
                journal_pb2.AttendanceEntry(
                    student_id=other,
                    status=journal_pb2.ATTENDANCE_STATUS_LATE,
                    reason=journal_pb2.ABSENCE_REASON_DOCUMENTED,
                ),
            ]
        ),
    )
    form = {"lesson_id": LESSON_2, "entry": [f"{ANNA}:absent"], "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/attendance", data=form)
    assert response.status_code == 200
    sent = fakes.journal.last("RecordAttendance").request
    assert [(e.student_id, e.status, e.reason) for e in sent.entries] == [
        (ANNA, journal_pb2.ATTENDANCE_STATUS_ABSENT, journal_pb2.ABSENCE_REASON_UNSPECIFIED),
        (other, journal_pb2.ATTENDANCE_STATUS_LATE, journal_pb2.ABSENCE_REASON_DOCUMENTED),
    ]
    assert fakes.journal.last("GetAttendance").request.lesson_id == LESSON_2


async def test_attendance_is_not_recorded_when_the_stored_one_cannot_be_read(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.fail("GetAttendance", grpc.StatusCode.UNAVAILABLE, "connection refused")
    form = {"lesson_id": LESSON_2, "entry": [f"{ANNA}:absent"], "csrf_token": token_of(client)}
    response = await client.post(f"{PAGE}/attendance", data=form)
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert [c for c in fakes.journal.calls if c.method == "RecordAttendance"] == []
