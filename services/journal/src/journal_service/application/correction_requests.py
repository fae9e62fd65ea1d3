"""Students' correction requests about their marks and the teachers' answers (R3.3, §4.3.2).

The student files a request about one of their own marks; it goes to the teacher whose load covers
the mark, who answers once: «changed» changes the mark through ChangeMark's own path (change_mark:
the same checks, the same kept change, event and audit) in the same transaction as the answer, linked
to it; «explained» keeps the mark with the explanation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.mark_changes import ChangeMark, change_mark
from journal_service.application.ports import JournalUnitOfWork, UnitOfWorkFactory
from journal_service.application.refused_writes import refusal_audited
from journal_service.domain import access, errors, mark_changes, model
from journal_service.domain import correction_requests as cr

# The reason kept on the mark change an answer makes (the answer's own text is in the request).
CHANGE_REASON = "Исправлено по запросу обучающегося"


@dataclass(frozen=True)
class FileCorrectionRequest:
    """The student asks for a correction of one of their marks."""

    mark_id: uuid.UUID
    text: str


@dataclass(frozen=True)
class ListCorrectionRequests:
    """The teacher's requests (about marks of their loads) or the student's own."""

    status: cr.CorrectionRequestStatus | None = None


@dataclass(frozen=True)
class AnswerCorrectionRequest:
    """The teacher of the load answers a request once."""

    request_id: uuid.UUID
    decision: cr.CorrectionDecision | None
    text: str
    new_value: str = ""


@dataclass(frozen=True)
class AnsweredRequest:
    """A request as answered and the mark as it is now."""

    request: cr.CorrectionRequest
    mark: model.Mark


def _decision_pb(decision: cr.CorrectionDecision) -> jpb.CorrectionDecision.ValueType:
    return jpb.CorrectionDecision.Value(f"CORRECTION_DECISION_{decision.name}")


async def _covering(uow: JournalUnitOfWork, teacher_id: uuid.UUID, request: cr.CorrectionRequest) -> bool:
    """Return True when the teacher holds a load covering the request's mark (as the writes decide)."""
    return any(
        load.covers(teacher_id, request.group_id, request.discipline_id, request.subgroup_id)
        for load in await uow.loads.of_teacher(teacher_id)
    )


class CorrectionRequestHandlers:
    """Use cases of correction requests."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def file(self, cmd: FileCorrectionRequest, actor: Principal) -> cr.CorrectionRequest:
        """File a request about the caller's own mark (another's mark is not found); one open per mark."""
        if not actor.has_any(access.STUDENT):
            raise errors.RoleRequired("запрос на исправление оценки подаёт обучающийся")
        student_id = access.person_id(actor)
        text = cr.check_text(cmd.text)
        async with self._uow() as uow:
            # The mark's row locked: two requests about it at once are one after the other.
            mark = await uow.mark_changes.get_for_update(cmd.mark_id)
            if mark is None:
                raise mark_changes.MarkNotFound()
            request = cr.file(mark, student_id=student_id, text=text)
            if await uow.correction_requests.open_of_mark(mark.id) is not None:
                raise cr.CorrectionRequestAlreadyOpen()
            await uow.correction_requests.add(request)
            await uow.emit(
                events.CorrectionRequested(
                    request_id=str(request.id),
                    mark_id=str(mark.id),
                    student_id=str(mark.student_id),
                    group_id=str(mark.group_id),
                    discipline_id=str(mark.discipline_id),
                    teacher_id=str(mark.teacher_id),
                )
            )
            await uow.audit(
                "correction.requested",
                actor=actor,
                resource_type="mark",
                resource_id=str(mark.id),
                subject_person_id=str(mark.student_id),
            )
            filed = await uow.correction_requests.open_of_mark(mark.id)
            await uow.commit()
            return filed or request

    async def list(self, query: ListCorrectionRequests, actor: Principal) -> list[cr.CorrectionRequest]:
        """Return the student's own requests and/or the teacher's (marks their loads cover), open ones
        first; a teacher's list is audited (it is about students)."""
        student, teacher = actor.has_any(access.STUDENT), actor.has_any(access.TEACHER)
        if not student and not teacher:
            raise errors.RoleRequired("запросы на исправление видят обучающийся и преподаватель")
        person = access.person_id(actor)
        async with self._uow() as uow:
            found: dict[uuid.UUID, cr.CorrectionRequest] = {}
            if student:
                found.update((r.id, r) for r in await uow.correction_requests.of_student(person))
            if teacher:
                loads = await uow.loads.of_teacher(person)
                pairs = {(load.group_id, load.discipline_id) for load in loads}
                for r in await uow.correction_requests.of_loads(pairs):
                    if any(load.covers(person, r.group_id, r.discipline_id, r.subgroup_id) for load in loads):
                        found[r.id] = r
                await uow.audit(
                    "correction_requests.read", actor=actor, resource_type="teacher", resource_id=str(person)
                )
                await uow.commit()
            chosen = [r for r in found.values() if query.status is None or r.status is query.status]
            return cr.listed_order(chosen)

    async def answer(self, cmd: AnswerCorrectionRequest, actor: Principal) -> AnsweredRequest:
        """Answer a request (the teacher whose load covers its mark), once; «changed» changes the mark
        through ChangeMark's path in the same transaction."""
        access.require_teacher(actor)
        teacher_id = access.person_id(actor)
        decision, _ = cr.check_answer(cmd.decision, cmd.text, cmd.new_value)
        ref = str(cmd.request_id)
        async with (
            refusal_audited(
                self._uow,
                actor,
                action="correction.answer",
                resource_type="correction_request",
                resource_id=ref,
            ),
            self._uow() as uow,
        ):
            request = await uow.correction_requests.get_for_update(cmd.request_id)
            if request is None:
                raise cr.CorrectionRequestNotFound()
            if not await _covering(uow, teacher_id, request):
                raise errors.NotTeachingThisGroup()
            if request.answer is not None:
                raise cr.CorrectionRequestAnswered()
            change_id, new_value = None, ""
            if decision is cr.CorrectionDecision.CHANGED:
                changed, change = await change_mark(
                    uow,
                    ChangeMark(mark_id=request.mark_id, value=cmd.new_value.strip(), reason=CHANGE_REASON),
                    actor,
                )
                change_id, new_value = (None, "") if change is None else (change.id, changed.value)
            answered = cr.answer(
                request,
                decision=decision,
                text=cmd.text,
                teacher_id=teacher_id,
                new_value=new_value or cmd.new_value,
                change_id=change_id,
            )
            await uow.correction_requests.answer(answered)
            await uow.emit(
                events.CorrectionAnswered(
                    request_id=str(request.id),
                    mark_id=str(request.mark_id),
                    student_id=str(request.student_id),
                    teacher_id=str(teacher_id),
                    decision=_decision_pb(decision),
                    change_id=str(change_id or ""),
                )
            )
            await uow.audit(
                "correction.answered",
                actor=actor,
                resource_type="mark",
                resource_id=str(request.mark_id),
                subject_person_id=str(request.student_id),
            )
            stored = await uow.correction_requests.get_for_update(request.id)
            found = await uow.history.mark(request.mark_id)
            await uow.commit()
            if found is None:  # the mark row never goes away (removal keeps it)
                raise mark_changes.MarkNotFound()
            return AnsweredRequest(stored or answered, found[0])
