"""Reading a journal page's reply in tests: its columns of cells and marks, row by row."""

from __future__ import annotations

from dataclasses import dataclass, field

from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb


@dataclass
class PageCell:
    """One cell of a page as a row: the student's and the lesson's ids, the marks, the attendance."""

    student_id: str
    lesson_id: str
    marks: list[pb.CellMark] = field(default_factory=list)
    status: jpb.AttendanceStatus.ValueType = jpb.ATTENDANCE_STATUS_UNSPECIFIED
    reason: jpb.AbsenceReason.ValueType = jpb.ABSENCE_REASON_UNSPECIFIED


def cells_of(page: pb.GetJournalPageResponse) -> list[PageCell]:
    """Return a page's cells in their order (by student and lesson), each with its marks in order."""
    cells = [
        PageCell(page.student_ids[student], page.lessons[lesson].lesson_id, [], status, reason)
        for student, lesson, status, reason in zip(
            page.cells.student, page.cells.lesson, page.cells.status, page.cells.reason, strict=True
        )
    ]
    marks = page.marks
    for position, mark_id, value, kind, weight in zip(
        marks.cell, marks.mark_id, marks.value, marks.kind_of_work, marks.weight, strict=True
    ):
        cells[position].marks.append(
            pb.CellMark(mark_id=mark_id, value=value, kind_of_work=kind, weight=weight)
        )
    return cells


def averages_of(page: pb.GetJournalPageResponse) -> list[tuple[str, str, str]]:
    """Return each student's averages: (student id, mean, weighted mean), in the page's order."""
    return list(zip(page.student_ids, page.averages.mean, page.averages.weighted_mean, strict=True))
