"""Portal «Итоговые оценки» and «Мало оценок» (issue 7 items 1-2) with the fake services: the proposals
with the warning and its confirm checkbox, the rule named, a final saved (the confirmation passed on), a
refusal shown at its row with what was typed, read-only for the class teacher, and the list of students
with too few marks."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import grpc
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import period_locks_pb2 as locks_pb

from .test_portal_absences import log_in, token_of

GROUP, MATH, YEAR, IVANOV, PETROVA = (str(uuid.uuid4()) for _ in range(5))
PAGE = f"/finals/{GROUP}/{MATH}"


def day(y: int, m: int, d: int) -> LocalDate:
    return LocalDate(year=y, month=m, day=d)


def the_college(fakes) -> None:
    fakes.journal.reply("GetGroup", pb.GetGroupResponse(group=jpb.Group(group_id=GROUP, name="ИС-21")))
    fakes.journal.reply(
        "ListDisciplines",
        pb.ListDisciplinesResponse(
            disciplines=[jpb.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика")]
        ),
    )
    fakes.journal.reply(
        "ListAcademicYears",
        pb.ListAcademicYearsResponse(
            years=[
                jpb.AcademicYear(
                    year_id=YEAR,
                    name="2026/2027",
                    span=jpb.DateSpan(starts_on=day(2026, 9, 1), ends_on=day(2027, 8, 31)),
                    semester1=jpb.DateSpan(starts_on=day(2026, 9, 1), ends_on=day(2026, 12, 31)),
                    semester2=jpb.DateSpan(starts_on=day(2027, 1, 12), ends_on=day(2027, 6, 30)),
                )
            ]
        ),
    )
    fakes.journal.reply(
        "GetCurriculum",
        pb.GetCurriculumResponse(
            rows=[
                pb.CurriculumRow(
                    discipline_id=MATH,
                    semester=1,
                    total_hours=72,
                    weekly_hours=2,
                    control_form=pb.CONTROL_FORM_EXAM,
                )
            ]
        ),
    )
    fakes.journal.reply(
        "ProposeFinals",
        pb.ProposeFinalsResponse(
            rule=pb.FinalRule(
                version=1,
                kind=jpb.FINAL_RULE_KIND_MEAN,
                rounding=jpb.FINAL_ROUNDING_HALF_UP,
                effective_from=day(2000, 1, 1),
            ),
            students=[
                pb.ProposedFinal(
                    student_id=IVANOV,
                    marks_count=6,
                    required_marks=5,
                    enough_marks=True,
                    mean="4.50",
                    weighted_mean="4.40",
                    proposed_value="5",
                ),
                pb.ProposedFinal(
                    student_id=PETROVA,
                    marks_count=2,
                    required_marks=5,
                    enough_marks=False,
                    mean="3.00",
                    weighted_mean="3.00",
                    proposed_value="3",
                ),
            ],
            allowed_values=["5", "4", "3", "2", "н/а"],
            weekly_hours=2,
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                identity_service_pb2.PersonName(person_id=IVANOV, last_name="Иванов", first_name="Пётр"),
                identity_service_pb2.PersonName(person_id=PETROVA, last_name="Петрова", first_name="Анна"),
            ]
        ),
    )


async def post(client, **fields: str):
    body = urlencode({"csrf_token": token_of(client), "year": YEAR, "period": "1:exam", **fields})
    return await client.post(
        PAGE, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def test_the_teacher_sees_proposals_the_rule_and_the_warning_with_its_checkbox(
    client, idp, fakes
) -> None:
    await log_in(client, idp, roles=("teacher",))
    the_college(fakes)
    page = await client.get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert "Итоговые оценки: ЕН.01 Математика" in text and "1 семестр — экзамен" in text
    assert "среднее арифметическое" in text and "версия 1" in text
    assert text.index("Иванов") < text.index("Петрова")
    assert text.count("Недостаточно оценок (нужно не менее 5)") == 1
    assert text.count('name="confirm"') == 1 and "2 из 5" in text
    assert '<option value="5" selected>5 (предложено)</option>' in text
    assert f'href="/journal/{GROUP}/{MATH}"' in text
    sent = fakes.journal.last("ProposeFinals").request
    assert (sent.period.year_id, sent.period.semester, sent.period.kind) == (YEAR, 1, jpb.FINAL_KIND_EXAM)


async def test_a_final_is_saved_with_the_confirmation_and_a_refusal_stays_at_its_row(
    client, idp, fakes
) -> None:
    await log_in(client, idp, roles=("teacher",))
    the_college(fakes)
    fakes.journal.reply("SetFinal", pb.SetFinalResponse(final=jpb.Final(value="3")))
    saved = await post(client, student_id=PETROVA, value="3", reason="", confirm="1")
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{PAGE}?year={YEAR}&period=1:exam&saved={PETROVA}"
    sent = fakes.journal.last("SetFinal").request
    assert (sent.student_id, sent.value, sent.confirm_not_enough_marks, sent.period.kind) == (
        PETROVA,
        "3",
        True,
        jpb.FINAL_KIND_EXAM,
    )
    fakes.journal.fail(
        "SetFinal",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Недостаточно оценок (нужно не менее 5, есть 2); подтвердите выставление итоговой оценки",
        "not_enough_marks",
    )
    refused = await post(client, student_id=PETROVA, value="4", reason="Работа на занятиях")
    assert refused.status_code == 409
    assert (
        "есть 2): отметьте «Подтверждаю: оценок недостаточно»" in refused.text
        and f'id="problem-{PETROVA}"' in refused.text
    )
    assert 'value="Работа на занятиях"' in refused.text and '<option value="4" selected>' in refused.text
    calls = len(fakes.journal.calls)
    empty = await post(client, student_id=PETROVA, value="")
    assert empty.status_code == 400 and "Выберите итоговую оценку" in empty.text
    assert not any(c.method == "SetFinal" for c in fakes.journal.calls[calls:])


async def test_the_class_teacher_reads_without_forms_and_a_student_is_refused(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("class_teacher",))
    the_college(fakes)
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert 'name="value"' not in page.text and "выставляет преподаватель" in page.text


async def test_a_student_may_not_open_the_page(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("student",))
    assert (await client.get(PAGE)).status_code == 403


async def test_too_few_marks_lists_the_students_by_discipline(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("class_teacher",))
    the_college(fakes)
    fakes.journal.reply(
        "ListStudentsWithTooFewMarks",
        pb.ListStudentsWithTooFewMarksResponse(
            disciplines=[
                pb.DisciplineTooFewMarks(
                    discipline_id=MATH,
                    weekly_hours=2,
                    required_marks=5,
                    students=[pb.StudentMarksCount(student_id=PETROVA, marks_count=2)],
                )
            ]
        ),
    )
    page = await client.get(f"/too-few-marks/{GROUP}?semester=1")
    assert page.status_code == 200
    assert "Мало оценок: группа ИС-21" in page.text and "ЕН.01 Математика" in page.text
    assert "Петрова Анна" in page.text and "2 из 5" in page.text
    sent = fakes.journal.last("ListStudentsWithTooFewMarks").request
    assert (sent.group_id, sent.year_id, sent.semester) == (GROUP, YEAR, 1)


async def test_a_closed_period_shows_the_lock_and_no_forms(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    the_college(fakes)
    lock = locks_pb.PeriodLock(
        lock_id=str(uuid.uuid4()),
        group_id=GROUP,
        discipline_id=MATH,
        year_id=YEAR,
        semester=1,
        span=jpb.DateSpan(starts_on=day(2026, 9, 1), ends_on=day(2026, 12, 31)),
        closed=True,
    )
    other_year = locks_pb.PeriodLock(
        lock_id=str(uuid.uuid4()), year_id=str(uuid.uuid4()), semester=1, span=lock.span, closed=True
    )
    fakes.journal.reply("ListPeriodLocks", locks_pb.ListPeriodLocksResponse(locks=[lock, other_year]))
    page = await client.get(f"{PAGE}?year={YEAR}&period=1:exam")
    assert page.status_code == 200
    assert page.text.count("Период закрыт") == 1 and "Подать заявку на открытие" in page.text
    assert 'name="value"' not in page.text
