"""Portal «История итоговой оценки» (issue 7 item 6, slice K) with the fake services: «История» next to
each set final on «Итоговые оценки»; the page names who set and changed it, old → new («не было» for the
first setting), the rule's proposal and version and why; a history the journal hides is not found."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from .test_portal_absences import log_in
from .test_portal_finals import GROUP, IVANOV, MATH, PAGE, YEAR, the_college

FINAL_ID = "7d3c1e8a-0000-4000-8000-00000000f1a1"
TEACHER, ADMIN = "7d3c1e8a-0000-4000-8000-0000000000c1", "7d3c1e8a-0000-4000-8000-0000000000ad"
FINAL = jpb.Final(
    final_id=FINAL_ID,
    student_id=IVANOV,
    group_id=GROUP,
    discipline_id=MATH,
    period=jpb.FinalPeriod(year_id=YEAR, semester=1, kind=jpb.FINAL_KIND_EXAM),
    value="4",
    proposed_value="5",
    rule_version=1,
    set_by=ADMIN,
)


def _at(hour: int) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime(2026, 12, 20, hour, tzinfo=UTC))
    return stamp


async def test_a_set_final_has_its_history_link(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    the_college(fakes)
    proposals = fakes.journal.responses["ProposeFinals"]
    proposals.students[0].final.CopyFrom(FINAL)
    text = (await client.get(PAGE)).text
    assert text.count('href="/final-history/') == 1
    assert f'href="/final-history/{FINAL_ID}"' in text


async def test_the_parent_reads_who_set_and_changed_the_final(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("parent",))
    fakes.journal.reply(
        "GetFinalHistory",
        pb.GetFinalHistoryResponse(
            final=FINAL,
            entries=[
                pb.FinalHistoryEntry(
                    changed_by=TEACHER,
                    changed_at=_at(9),
                    new_value="5",
                    proposed_value="5",
                    rule_version=1,
                    reason="Экзамен сдан",
                ),
                pb.FinalHistoryEntry(
                    changed_by=ADMIN,
                    changed_at=_at(11),
                    old_value="5",
                    new_value="4",
                    proposed_value="5",
                    rule_version=1,
                    reason="Апелляция",
                ),
            ],
        ),
    )
    fakes.journal.reply(
        "ListDisciplines",
        pb.ListDisciplinesResponse(
            disciplines=[jpb.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика")]
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                identity_service_pb2.PersonName(person_id=IVANOV, last_name="Иванов", first_name="Пётр"),
                identity_service_pb2.PersonName(person_id=TEACHER, last_name="Смирнова", first_name="Ольга"),
            ]
        ),
    )
    page = await client.get(f"/final-history/{FINAL_ID}")
    assert page.status_code == 200
    text = page.text
    assert "История итоговой оценки" in text and "ЕН.01 Математика" in text and "экзамен, 1-й семестр" in text
    assert text.index("Выставлена") < text.index("Изменена")
    assert "не было → 5" in text and "5 → 4" in text
    assert "Смирнова" in text and "Сотрудник колледжа" in text  # the admin identity does not name
    assert "Экзамен сдан" in text and "Апелляция" in text and "версия правила 1" in text
    assert fakes.journal.last("GetFinalHistory").request.final_id == FINAL_ID
    # Back to the student's «Итоговые оценки» (not the teacher's page of the group).
    assert (
        f'<a href="/diary/{IVANOV}/finals">← Итоговые оценки</a>' in text and f"/finals/{GROUP}" not in text
    )


async def test_a_history_the_journal_hides_is_not_found(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("student",))
    fakes.journal.fail(
        "GetFinalHistory", grpc.StatusCode.NOT_FOUND, "Итоговая оценка не найдена", "final_not_found"
    )
    assert (await client.get(f"/final-history/{FINAL_ID}")).status_code == 404


OLD_YEAR = "7d3c1e8a-0000-4000-8000-0000000000a1"


def _year(year_id: str, first: int) -> jpb.AcademicYear:
    return jpb.AcademicYear(year_id=year_id, name=f"{first}/{first + 1}")


async def test_a_student_reads_their_finals_by_year_with_the_marks_of_record_and_histories(
    client, idp, fakes
) -> None:
    """«Итоговые оценки» of a student: a table per academic year, newest first (the journal names the
    years: a student may not list them), each final with its kind, the mark of record marked «в
    документах» and «История» to the final's history; the diary links to it."""
    await log_in(client, idp, roles=("student",), subject=IVANOV)
    semester = jpb.Final(
        final_id="7d3c1e8a-0000-4000-8000-00000000f1a2",
        student_id=IVANOV,
        discipline_id=MATH,
        period=jpb.FinalPeriod(year_id=YEAR, semester=1, kind=jpb.FINAL_KIND_SEMESTER),
        value="5",
    )
    exam = jpb.Final()
    exam.CopyFrom(FINAL)
    exam.mark_of_record = True
    last_year = jpb.Final(
        final_id="7d3c1e8a-0000-4000-8000-00000000f1a3",
        student_id=IVANOV,
        discipline_id=MATH,
        period=jpb.FinalPeriod(year_id=OLD_YEAR, semester=0, kind=jpb.FINAL_KIND_YEAR),
        value="н/а",
        mark_of_record=True,
    )
    fakes.journal.reply(
        "GetStudentFinals",
        pb.GetStudentFinalsResponse(
            finals=[last_year, semester, exam],
            marks_of_record=[last_year, exam],
            years=[_year(YEAR, 2026), _year(OLD_YEAR, 2025)],
        ),
    )
    fakes.journal.reply(
        "ListDisciplines",
        pb.ListDisciplinesResponse(
            disciplines=[jpb.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика")]
        ),
    )
    page = await client.get(f"/diary/{IVANOV}/finals")
    assert page.status_code == 200
    text = page.text
    assert fakes.journal.last("GetStudentFinals").request.student_id == IVANOV
    assert text.index("Учебный год 2026/2027") < text.index("Учебный год 2025/2026")
    this_year = text[text.index("Учебный год 2026/2027") : text.index("Учебный год 2025/2026")]
    assert "оценка за семестр, 1-й семестр" in this_year and "экзамен, 1-й семестр" in this_year
    assert this_year.count("— в документах") == 1
    assert this_year.index("экзамен, 1-й семестр") < this_year.index("— в документах")
    assert "годовая оценка" in text and "н/а — не аттестован" in text
    for final in (semester, exam, last_year):
        assert f'href="/final-history/{final.final_id}"' in text
    fakes.journal.reply("ListStudentMarks", pb.ListStudentMarksResponse())
    assert f'href="/diary/{IVANOV}/finals"' in (await client.get(f"/diary/{IVANOV}")).text


async def test_no_finals_yet_and_a_student_the_journal_hides(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("parent",))
    fakes.journal.reply("GetStudentFinals", pb.GetStudentFinalsResponse())
    assert "Итоговых оценок пока нет." in (await client.get(f"/diary/{IVANOV}/finals")).text
    fakes.journal.fail(
        "GetStudentFinals", grpc.StatusCode.NOT_FOUND, "Обучающийся не найден", "student_not_visible"
    )
    assert (await client.get(f"/diary/{IVANOV}/finals")).status_code == 404
