"""Portal «История оценки» and «Запросы на исправление» (R3.3) with the fake services: the trail with
names, the student's request form (filed → redirect; refused → the text kept with the journal's
reason), the teacher's list with its answer form (checked before the journal, refusals in place),
who may open the list."""

from __future__ import annotations

import html
import uuid

import grpc
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from .test_portal_absences import log_in, token_of

MARK, REQUEST, TEACHER, MATHS = (str(uuid.uuid4()) for _ in range(4))
DAY = common_pb2.LocalDate(year=2026, month=10, day=14)


def people(fakes, **names: str) -> None:
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                identity_service_pb2.PersonName(person_id=pid, last_name=last, first_name="Анна")
                for pid, last in names.items()
            ]
        ),
    )


def disciplines(fakes) -> None:
    fakes.journal.reply(
        "ListDisciplines",
        pb.ListDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=MATHS, code="ЕН.01", name="Математика")]
        ),
    )


def history(fakes, student: str, *, requested: bool = False, removed: bool = False) -> None:
    entries = [
        pb.MarkHistoryEntry(
            action=pb.HISTORY_ACTION_RECORDED,
            at=Timestamp(seconds=1_792_000_000),
            actor_id=TEACHER,
            new_value="4",
        ),
        pb.MarkHistoryEntry(
            action=pb.HISTORY_ACTION_CHANGED,
            at=Timestamp(seconds=1_792_000_600),
            actor_id=TEACHER,
            old_value="4",
            new_value="3",
            new_kind_of_work=journal_pb2.KIND_OF_WORK_TEST,
            new_weight=2,
            text="Описка",
        ),
    ]
    if requested:
        entries.append(
            pb.MarkHistoryEntry(
                action=pb.HISTORY_ACTION_CORRECTION_REQUESTED,
                at=Timestamp(seconds=1_792_001_000),
                actor_id=student,
                old_value="3",
                text="Я писал тест на пять",
                correction_request_id=REQUEST,
            )
        )
    fakes.journal.reply(
        "GetMarkHistory",
        pb.GetMarkHistoryResponse(
            mark=journal_pb2.Mark(
                mark_id=MARK,
                student_id=student,
                discipline_id=MATHS,
                teacher_id=TEACHER,
                lesson_date=DAY,
                value="3",
                kind_of_work=journal_pb2.KIND_OF_WORK_TEST,
                weight=2,
            ),
            removed=removed,
            entries=entries,
        ),
    )


async def test_the_student_reads_the_history_with_names_and_files_a_request(client, idp, fakes) -> None:
    student = await log_in(client, idp, roles=("student",))
    history(fakes, student)
    people(fakes, **{TEACHER: "Петрова", student: "Иванов"})
    disciplines(fakes)
    page = await client.get(f"/marks/{MARK}/history")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for shown in (
        "История оценки",
        "ЕН.01 — Математика",
        "Петрова",
        "Выставлена",
        "Исправлена",
        "4 → 3 (Тест, вес 2)",
        "Описка",
    ):
        assert shown in text, shown
    assert "Запросить исправление" in text and 'name="text"' in text

    fakes.journal.reply("FileCorrectionRequest", pb.FileCorrectionRequestResponse())
    sent = await client.post(
        f"/marks/{MARK}/history", data={"csrf_token": token_of(client), "text": "Я писал тест на пять"}
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/marks/{MARK}/history?filed=1")
    call = fakes.journal.last("FileCorrectionRequest").request
    assert (call.mark_id, call.text) == (MARK, "Я писал тест на пять")


async def test_a_refused_request_keeps_the_text_with_the_journals_reason(client, idp, fakes) -> None:
    student = await log_in(client, idp, roles=("student",))
    history(fakes, student)
    people(fakes)
    disciplines(fakes)
    fakes.journal.fail(
        "FileCorrectionRequest",
        grpc.StatusCode.FAILED_PRECONDITION,
        "По этой оценке уже есть запрос на исправление, ожидающий ответа преподавателя",
        "correction_request_open",
    )
    page = await client.post(
        f"/marks/{MARK}/history", data={"csrf_token": token_of(client), "text": "Мой текст"}
    )
    assert page.status_code == 409
    text = html.unescape(page.text)
    assert "уже есть запрос на исправление" in text and "Мой текст" in text


async def test_an_empty_request_is_refused_before_the_journal(client, idp, fakes) -> None:
    student = await log_in(client, idp, roles=("student",))
    history(fakes, student)
    people(fakes)
    disciplines(fakes)
    page = await client.post(f"/marks/{MARK}/history", data={"csrf_token": token_of(client), "text": "   "})
    assert page.status_code == 400 and "от 1 до 1000 символов" in html.unescape(page.text)
    assert [c.method for c in fakes.journal.calls if c.method == "FileCorrectionRequest"] == []


async def test_no_form_for_others_for_a_removed_mark_or_while_a_request_waits(client, idp, fakes) -> None:
    student = await log_in(client, idp, roles=("student",))
    history(fakes, student, requested=True)
    people(fakes)
    disciplines(fakes)
    waiting = html.unescape((await client.get(f"/marks/{MARK}/history")).text)
    assert "ждёт ответа преподавателя" in waiting and 'name="text"' not in waiting
    history(fakes, student, removed=True)
    assert 'name="text"' not in (await client.get(f"/marks/{MARK}/history")).text
    await log_in(client, idp, roles=("parent",))
    history(fakes, student)
    assert 'name="text"' not in (await client.get(f"/marks/{MARK}/history")).text


async def test_a_history_the_journal_hides_is_not_found(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    fakes.journal.fail("GetMarkHistory", grpc.StatusCode.NOT_FOUND, "Оценка не найдена", "mark_not_found")
    assert (await client.get(f"/marks/{MARK}/history")).status_code == 404


def open_request(student: str) -> pb.CorrectionRequest:
    return pb.CorrectionRequest(
        request_id=REQUEST,
        mark_id=MARK,
        student_id=student,
        discipline_id=MATHS,
        lesson_date=DAY,
        mark_value="3",
        text="Я писал тест на пять",
        filed_at=Timestamp(seconds=1_792_001_000),
        status=pb.CORRECTION_REQUEST_STATUS_OPEN,
    )


async def test_the_teacher_answers_from_the_list(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",), subject=TEACHER)
    student = str(uuid.uuid4())
    fakes.journal.reply(
        "ListCorrectionRequests", pb.ListCorrectionRequestsResponse(requests=[open_request(student)])
    )
    people(fakes, **{student: "Иванов"})
    disciplines(fakes)
    page = html.unescape((await client.get("/corrections")).text)
    for shown in (
        "Запросы на исправление",
        "Ждёт ответа",
        "Иванов",
        "Я писал тест на пять",
        "Исправить оценку",
    ):
        assert shown in page, shown

    fakes.journal.reply("AnswerCorrectionRequest", pb.AnswerCorrectionRequestResponse())
    sent = await client.post(
        f"/corrections/{REQUEST}/answer",
        data={"csrf_token": token_of(client), "decision": "changed", "new_value": " 5 ", "text": "Проверил"},
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/corrections?answered={REQUEST}")
    call = fakes.journal.last("AnswerCorrectionRequest").request
    assert (call.request_id, call.decision, call.new_value, call.text) == (
        REQUEST,
        journal_pb2.CORRECTION_DECISION_CHANGED,
        "5",
        "Проверил",
    )


async def test_an_answer_form_is_checked_first_and_a_refusal_comes_back_in_place(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",), subject=TEACHER)
    student = str(uuid.uuid4())
    fakes.journal.reply(
        "ListCorrectionRequests", pb.ListCorrectionRequestsResponse(requests=[open_request(student)])
    )
    people(fakes)
    disciplines(fakes)
    for data, message in [
        ({"text": "Ответ"}, "Выберите решение"),
        ({"decision": "explained", "text": " "}, "Напишите ответ"),
        ({"decision": "changed", "text": "Ответ"}, "Укажите новую оценку"),
    ]:
        page = await client.post(
            f"/corrections/{REQUEST}/answer", data={"csrf_token": token_of(client), **data}
        )
        assert page.status_code == 400 and message in html.unescape(page.text)
    assert [c for c in fakes.journal.calls if c.method == "AnswerCorrectionRequest"] == []
    fakes.journal.fail(
        "AnswerCorrectionRequest",
        grpc.StatusCode.INVALID_ARGUMENT,
        "Неизвестная отметка «7»",
        "unknown_mark_value",
    )
    page = await client.post(
        f"/corrections/{REQUEST}/answer",
        data={"csrf_token": token_of(client), "decision": "changed", "new_value": "7", "text": "Мой ответ"},
    )
    text = html.unescape(page.text)
    assert page.status_code == 400 and "Неизвестная отметка «7»" in text and "Мой ответ" in text


async def test_parents_and_the_administration_have_no_requests_list(client, idp, fakes) -> None:
    for roles in (("parent",), ("admin",), ("class_teacher",)):
        await log_in(client, idp, roles=roles)
        assert (await client.get("/corrections")).status_code == 403
    assert [c for c in fakes.journal.calls if c.method == "ListCorrectionRequests"] == []
