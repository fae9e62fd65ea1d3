"""Portal «Задолженности» and «Демонстрационный экзамен» (issue 7 items 3, 4) with fake services: the
group's debts with their next step, the commission picked by name and the retake sent with it, a refused
retake kept in place; the teacher's results with the mark shown, a refused result kept in place; the
admin's scale with its versions and a refused version kept in place."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as ipb
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb

from .test_portal_absences import log_in, token_of

GROUP, MATH, YEAR, ANNA, FINAL = (str(uuid.uuid4()) for _ in range(5))
MEMBERS = [str(uuid.uuid4()) for _ in range(3)]
DEBT = pb.AcademicDebt(
    final_id=FINAL,
    student_id=ANNA,
    group_id=GROUP,
    discipline_id=MATH,
    year_id=YEAR,
    semester=1,
    final_kind="exam",
    final_value="2",
    final_date=LocalDate(year=2026, month=12, day=25),
    deadline=LocalDate(year=2027, month=12, day=25),
    retakes=[
        pb.Retake(attempt=1, retake_date=LocalDate(year=2027, month=1, day=20), value="2", final_id=FINAL)
    ],
    next_step=pb.DEBT_NEXT_STEP_COMMISSION_RETAKE,
)
YEAR_PB = jpb.AcademicYear(
    year_id=YEAR,
    name="2026/2027",
    span=jpb.DateSpan(
        starts_on=LocalDate(year=2026, month=9, day=1), ends_on=LocalDate(year=2027, month=8, day=31)
    ),
    semester1=jpb.DateSpan(
        starts_on=LocalDate(year=2026, month=9, day=1), ends_on=LocalDate(year=2026, month=12, day=31)
    ),
    semester2=jpb.DateSpan(
        starts_on=LocalDate(year=2027, month=1, day=12), ends_on=LocalDate(year=2027, month=6, day=30)
    ),
)
SCALE = pb.DemoExamScale(
    version=1,
    effective_from=LocalDate(year=2000, month=1, day=1),
    bands=[
        pb.DemoExamBand(from_percent="0", to_percent="19.99", mark="2"),
        pb.DemoExamBand(from_percent="20", to_percent="39.99", mark="3"),
        pb.DemoExamBand(from_percent="40", to_percent="69.99", mark="4"),
        pb.DemoExamBand(from_percent="70", to_percent="100", mark="5"),
    ],
)


def a_group(fakes) -> None:
    fakes.journal.reply("ListAcademicYears", pb.ListAcademicYearsResponse(years=[YEAR_PB]))
    fakes.journal.reply("GetGroup", pb.GetGroupResponse(group=jpb.Group(group_id=GROUP, name="ИС-21")))
    fakes.journal.reply(
        "ListDisciplines",
        pb.ListDisciplinesResponse(
            disciplines=[jpb.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика")]
        ),
    )
    fakes.journal.reply("ListGroupDebts", pb.ListGroupDebtsResponse(debts=[DEBT]))
    people = [ipb.PersonName(person_id=ANNA, last_name="Аннина", first_name="Анна")]
    people += [
        ipb.PersonName(person_id=m, last_name=f"Членов{n}", first_name="Пётр") for n, m in enumerate(MEMBERS)
    ]
    fakes.identity.reply("GetPeople", ipb.GetPeopleResponse(people=people))


async def test_the_groups_debts_show_the_next_step(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("class_teacher",))
    a_group(fakes)
    response = await client.get(f"/debts/{GROUP}")
    assert response.status_code == 200
    for text in (
        "Аннина Анна",
        "ЕН.01 Математика",
        "Вторая пересдача — комиссией",
        "до 25.12.2027",
        "1 семестр, экзамен",
    ):
        assert text in response.text
    assert "Записать пересдачу" not in response.text  # the class teacher reads only


async def test_the_commission_is_picked_by_name_and_sent_with_the_retake(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("curator",))
    a_group(fakes)
    fakes.identity.reply(
        "SearchPeople",
        ipb.SearchPeopleResponse(
            people=[
                ipb.PersonName(
                    person_id=m, last_name=f"Членов{n}", first_name="Пётр", role=identity_pb2.ROLE_TEACHER
                )
                for n, m in enumerate(MEMBERS)
            ]
        ),
    )
    form = {
        "csrf_token": token_of(client),
        "final_id": FINAL,
        "year_id": YEAR,
        "retake_date": "2027-02-10",
        "value": "3",
        "teacher_query": "Членов",
        "action": "search",
    }
    found = await client.post(f"/debts/{GROUP}", data=form)
    assert found.status_code == 200 and "Членов2 Пётр" in found.text
    assert 'value="2027-02-10"' in found.text
    fakes.journal.reply("RecordRetake", pb.RecordRetakeResponse(debt=DEBT))
    saved = await client.post(
        f"/debts/{GROUP}",
        data={**form, "action": "save", "member": MEMBERS, "chairman": MEMBERS[1]},
    )
    assert saved.status_code == 303
    sent = fakes.journal.last("RecordRetake").request
    assert (sent.final_id, list(sent.commission_member_ids), sent.commission_chairman_id, sent.value) == (
        FINAL,
        MEMBERS,
        MEMBERS[1],
        "3",
    )
    assert (sent.retake_date.year, sent.retake_date.month, sent.retake_date.day) == (2027, 2, 10)


async def test_a_refused_retake_keeps_what_was_typed(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    a_group(fakes)
    fakes.journal.fail(
        "RecordRetake",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Вторая пересдача проводится комиссией: укажите её членов и председателя",
        "commission_required",
    )
    form = {
        "csrf_token": token_of(client),
        "final_id": FINAL,
        "year_id": YEAR,
        "retake_date": "2027-02-11",
        "value": "4",
        "action": "save",
    }
    response = await client.post(f"/debts/{GROUP}", data=form)
    assert response.status_code == 409
    assert "Вторая пересдача проводится комиссией" in response.text
    assert 'value="2027-02-11"' in response.text and '<option value="4" selected>' in response.text


async def test_a_students_own_debts(client, idp, fakes) -> None:
    student = await log_in(client, idp, roles=("student",), subject=ANNA)
    a_group(fakes)
    fakes.journal.reply("ListStudentDebts", pb.ListStudentDebtsResponse(debts=[DEBT]))
    response = await client.get(f"/diary/{student}/debts")
    assert response.status_code == 200
    assert (
        "Мои академические задолженности" in response.text and "Вторая пересдача — комиссией" in response.text
    )


async def test_the_teacher_records_a_demo_exam_and_sees_the_mark(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    a_group(fakes)
    fakes.journal.reply("GetDemoExamScale", pb.GetDemoExamScaleResponse(scale=SCALE))
    fakes.journal.reply("ListGroupStudents", pb.ListGroupStudentsResponse(student_ids=[ANNA]))
    result = pb.DemoExamResult(
        student_id=ANNA,
        points="56",
        maximum="80",
        percent="70.00",
        mark="5",
        scale_version=1,
        exam_date=LocalDate(year=2026, month=12, day=20),
    )
    fakes.journal.reply("ListDemoExamResults", pb.ListDemoExamResultsResponse(results=[]))
    page = await client.get(f"/demo-exam/{GROUP}/{MATH}?year_id={YEAR}&semester=1")
    assert page.status_code == 200 and 'name="points"' in page.text and "20–39.99 % → 3" in page.text
    fakes.journal.reply("RecordDemoExamResult", pb.RecordDemoExamResultResponse(result=result))
    form = {
        "csrf_token": token_of(client),
        "student_id": ANNA,
        "year_id": YEAR,
        "semester": "1",
        "points": "56",
        "maximum": "80",
        "exam_date": "2026-12-20",
    }
    saved = await client.post(f"/demo-exam/{GROUP}/{MATH}", data=form)
    assert saved.status_code == 303
    sent = fakes.journal.last("RecordDemoExamResult").request
    assert (sent.points, sent.maximum, sent.semester, sent.year_id) == ("56", "80", 1, YEAR)
    fakes.journal.reply("ListDemoExamResults", pb.ListDemoExamResultsResponse(results=[result]))
    shown = await client.get(saved.headers["location"])
    assert "70.00 %" in shown.text and '<strong class="mark">5</strong>' in shown.text
    fakes.journal.fail(
        "RecordDemoExamResult",
        grpc.StatusCode.INVALID_ARGUMENT,
        "Баллов (81) больше максимума (80)",
        "points_above_maximum",
    )
    fakes.journal.reply("ListDemoExamResults", pb.ListDemoExamResultsResponse(results=[]))
    refused = await client.post(f"/demo-exam/{GROUP}/{MATH}", data={**form, "points": "81"})
    assert refused.status_code == 400 and "Баллов (81) больше максимума (80)" in refused.text
    assert 'value="81"' in refused.text


async def test_the_admin_sets_a_new_scale_and_a_refusal_keeps_the_rows(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    fakes.journal.reply("GetDemoExamScale", pb.GetDemoExamScaleResponse(scale=SCALE))
    page = await client.get("/demo-exam-scale")
    assert (
        page.status_code == 200
        and "Версия 1 (действует)" in page.text
        and 'name="from_0" value="0"' in page.text
    )
    fakes.journal.fail(
        "SetDemoExamScale", grpc.StatusCode.INVALID_ARGUMENT, "Строка №2 шкалы: пропуск", "scale_gap"
    )
    form = {
        "csrf_token": token_of(client),
        "from_0": "0",
        "to_0": "49",
        "mark_0": "2",
        "from_1": "50",
        "to_1": "100",
        "mark_1": "5",
    }
    refused = await client.post("/demo-exam-scale", data=form)
    assert (
        refused.status_code == 400
        and "Строка №2 шкалы: пропуск" in refused.text
        and 'value="49"' in refused.text
    )
    sent = fakes.journal.last("SetDemoExamScale").request
    assert [(b.from_percent, b.to_percent, b.mark) for b in sent.bands] == [
        ("0", "49", "2"),
        ("50", "100", "5"),
    ]
