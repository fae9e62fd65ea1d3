"""Portal: period locks and reopen requests (slice B; R1.5) with the fakes — «Период закрыт» with the
teacher's form on the journal page and the grid read-only, «Открыт до …» after an approval, the form's
refusals with the reason kept, the deputy's «Заявки на открытие» (approve for a duration, reject with a
reason, refusals next to the request), the teacher's own list, the home links."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from ejournal.journal.v1 import period_locks_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from .test_portal_journal import DISCIPLINE, GROUP, PAGE, a_journal, college_today, local, log_in, token_of

YEAR, LOCK, REQUEST, TEACHER = (str(uuid.uuid4()) for _ in range(4))


def at(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def a_lock(**changes: object) -> pb.PeriodLock:
    today = college_today()
    fields: dict[str, object] = {
        "lock_id": LOCK,
        "group_id": GROUP,
        "discipline_id": DISCIPLINE,
        "year_id": YEAR,
        "semester": 1,
        "span": journal_pb2.DateSpan(starts_on=local(today - timedelta(days=60)), ends_on=local(today)),
        "closed": True,
        "cause": pb.PERIOD_CLOSE_CAUSE_BY_ADMINISTRATION,
    }
    fields.update(changes)
    return pb.PeriodLock(**fields)  # type: ignore[arg-type]


def a_request(**changes: object) -> pb.ReopenRequest:
    fields: dict[str, object] = {
        "request_id": REQUEST,
        "lock_id": LOCK,
        "group_id": GROUP,
        "discipline_id": DISCIPLINE,
        "year_id": YEAR,
        "semester": 1,
        "requested_by": TEACHER,
        "reason": "Ошибка в оценке Борисова",
        "requested_at": at(datetime(2026, 12, 28, 7, 0, tzinfo=UTC)),
        "status": pb.REOPEN_REQUEST_STATUS_PENDING,
    }
    fields.update(changes)
    return pb.ReopenRequest(**fields)  # type: ignore[arg-type]


async def test_a_closed_period_shows_the_request_form_and_a_read_only_grid(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    fakes.journal.reply("ListPeriodLocks", pb.ListPeriodLocksResponse(locks=[a_lock()]))
    fakes.journal.reply("ListReopenRequests", pb.ListReopenRequestsResponse())
    page = (await client.get(PAGE)).text
    assert "Период закрыт" in page and "итоговые оценки выставлены" in page
    assert "Подать заявку на открытие" in page and 'action="/reopen-requests/new"' in page
    assert 'data-editable="0"' in page
    assert "выставляет преподаватель, ведущий дисциплину" not in page  # the lock says why instead
    assert fakes.journal.last("ListPeriodLocks").request.discipline_id == DISCIPLINE


async def test_a_pending_request_and_an_approved_one_are_shown(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    fakes.journal.reply("ListPeriodLocks", pb.ListPeriodLocksResponse(locks=[a_lock()]))
    fakes.journal.reply("ListReopenRequests", pb.ListReopenRequestsResponse(requests=[a_request()]))
    page = (await client.get(PAGE)).text
    assert "ждёт решения заместителя директора" in page and "Подать заявку на открытие" not in page

    until = datetime.now(UTC) + timedelta(hours=48)
    reopened = a_lock(closed=False, reopened_until=at(until))
    fakes.journal.reply("ListPeriodLocks", pb.ListPeriodLocksResponse(locks=[reopened]))
    page = (await client.get(PAGE)).text
    assert "Открыт до " in page and "Период закрыт" not in page
    assert 'data-editable="1"' in page


async def test_a_lock_outside_the_pages_dates_is_not_shown(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    old = college_today() - timedelta(days=400)
    lock = a_lock(span=journal_pb2.DateSpan(starts_on=local(old), ends_on=local(old + timedelta(days=30))))
    fakes.journal.reply("ListPeriodLocks", pb.ListPeriodLocksResponse(locks=[lock]))
    page = (await client.get(PAGE)).text
    assert "Период закрыт" not in page and 'data-editable="1"' in page


def request_form(client, reason: str) -> dict[str, str]:
    return {
        "csrf_token": token_of(client),
        "group_id": GROUP,
        "discipline_id": DISCIPLINE,
        "year_id": YEAR,
        "semester": "1",
        "reason": reason,
    }


async def test_the_teacher_files_a_request_and_a_refusal_keeps_the_reason(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.reply("RequestReopen", pb.RequestReopenResponse(request=a_request()))
    sent = await client.post("/reopen-requests/new", data=request_form(client, " Ошибка в оценке "))
    assert (sent.status_code, sent.headers["location"]) == (303, f"{PAGE}?reopen=requested")
    asked = fakes.journal.last("RequestReopen").request
    assert (asked.group_id, asked.year_id, asked.semester, asked.reason) == (
        GROUP,
        YEAR,
        1,
        "Ошибка в оценке",
    )

    empty = await client.post("/reopen-requests/new", data=request_form(client, "  "))
    assert empty.status_code == 400 and "Укажите причину" in empty.text

    fakes.journal.fail(
        "RequestReopen",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Период не закрыт: открывать нечего",
        "period_not_closed",
    )
    refused = await client.post("/reopen-requests/new", data=request_form(client, "Нужно исправить"))
    assert refused.status_code == 409
    assert (
        "Период не закрыт: открывать нечего" in refused.text and "Нужно исправить</textarea>" in refused.text
    )
    assert f'href="{PAGE}"' in refused.text


async def test_the_deputy_approves_and_rejects_with_refusals_next_to_the_request(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("deputy",))
    fakes.journal.reply("ListReopenRequests", pb.ListReopenRequestsResponse(requests=[a_request()]))
    fakes.journal.reply(
        "GetGroup",
        journal_service_pb2.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-21")),
    )
    fakes.journal.reply(
        "ListDisciplines",
        journal_service_pb2.ListDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=DISCIPLINE, code="ОП.01", name="Математика")]
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                identity_service_pb2.PersonName(person_id=TEACHER, last_name="Петрова", first_name="Анна")
            ]
        ),
    )
    page = (await client.get("/reopen-requests")).text
    assert "<h1>Заявки на открытие</h1>" in page
    assert "ИС-21" in page and "Математика" in page and "Петрова Анна" in page and "1 семестр" in page
    assert "Ошибка в оценке Борисова" in page and "Одобрить" in page and "Отклонить" in page

    fakes.journal.reply(
        "ApproveReopen",
        pb.ApproveReopenResponse(request=a_request(status=pb.REOPEN_REQUEST_STATUS_APPROVED), lock=a_lock()),
    )
    approved = await client.post(
        f"/reopen-requests/{REQUEST}/approve", data={"csrf_token": token_of(client), "hours": "72"}
    )
    assert (approved.status_code, approved.headers["location"]) == (303, "/reopen-requests?approved=1")
    assert fakes.journal.last("ApproveReopen").request.hours == 72
    odd = await client.post(
        f"/reopen-requests/{REQUEST}/approve", data={"csrf_token": token_of(client), "hours": "5"}
    )
    assert odd.status_code == 400 and "Выберите срок из списка" in odd.text

    empty = await client.post(
        f"/reopen-requests/{REQUEST}/reject", data={"csrf_token": token_of(client), "reason": ""}
    )
    assert empty.status_code == 400 and "Укажите причину отказа" in empty.text
    fakes.journal.fail(
        "RejectReopen",
        grpc.StatusCode.FAILED_PRECONDITION,
        "По этой заявке решение уже принято",
        "reopen_already_decided",
    )
    decided = await client.post(
        f"/reopen-requests/{REQUEST}/reject", data={"csrf_token": token_of(client), "reason": "Оценки верны"}
    )
    assert decided.status_code == 409
    assert "По этой заявке решение уже принято" in decided.text and 'value="Оценки верны"' in decided.text


async def test_the_teacher_reads_their_requests_and_a_student_is_refused(client, idp, fakes) -> None:
    await log_in(client, idp)
    rejected = a_request(status=pb.REOPEN_REQUEST_STATUS_REJECTED, decision_reason="Оценки верны")
    fakes.journal.reply("ListReopenRequests", pb.ListReopenRequestsResponse(requests=[rejected]))
    page = (await client.get("/reopen-requests")).text
    assert "отклонена" in page and "Оценки верны" in page and "Одобрить" not in page

    await log_in(client, idp, roles=("student",))
    assert (await client.get("/reopen-requests")).status_code == 403


async def test_home_links_the_requests_for_the_deputy_and_the_teacher(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("deputy",))
    assert "Заявки на открытие" in (await client.get("/")).text
    await log_in(client, idp, roles=("teacher",))
    assert "Мои заявки на открытие периодов" in (await client.get("/")).text
    await log_in(client, idp, roles=("student",))
    assert "/reopen-requests" not in (await client.get("/")).text
