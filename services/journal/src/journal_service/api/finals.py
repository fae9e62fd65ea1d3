"""Finals between protobuf and the application (slice A): periods, rules, finals, proposals. The
servicer's methods call these, one line each."""

from __future__ import annotations

from decimal import Decimal

from chassis.errors import InvalidArgument
from chassis.principal import require_principal as _actor
from chassis.validation import parse_uuid as _id
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb

from journal_service.api import mappers
from journal_service.api.mappers import date_from_pb
from journal_service.application.finals import (
    FinalsRead,
    GetGroupFinals,
    GetStudentFinals,
    ListStudentsWithTooFewMarks,
    ProposeFinals,
    SetFinal,
    SetFinalRule,
)
from journal_service.application.handlers import JournalHandlers
from journal_service.application.marks import local_date
from journal_service.domain import final_rules, finals

MAX_FINAL_VALUE = 16
_KIND_FROM_PB = {jpb.FinalKind.Value(f"FINAL_KIND_{k.name}"): k for k in finals.FinalKind}
_RULE_KIND_FROM_PB = {
    jpb.FinalRuleKind.Value(f"FINAL_RULE_KIND_{k.name}"): k for k in final_rules.FinalRuleKind
}
_ROUNDING_FROM_PB = {
    jpb.FinalRounding.Value(f"FINAL_ROUNDING_{k.name}"): k for k in final_rules.FinalRounding
}


def period_from_pb(value: jpb.FinalPeriod) -> finals.FinalPeriod:
    """Return the period of a request (its kind, year and semester checked) or raise InvalidArgument."""
    kind = _KIND_FROM_PB.get(value.kind)
    if kind is None:
        raise InvalidArgument("Укажите вид итоговой оценки", code="invalid_final_kind")
    return finals.check_period(finals.FinalPeriod(_id(value.year_id, "year_id"), value.semester, kind))


def period_to_pb(value: finals.FinalPeriod) -> jpb.FinalPeriod:
    """Map a period."""
    return jpb.FinalPeriod(
        year_id=str(value.year_id),
        semester=value.semester,
        kind=jpb.FinalKind.Value(f"FINAL_KIND_{value.kind.name}"),
    )


def rule_to_pb(rule: final_rules.FinalRule) -> pb.FinalRule:
    """Map a version of the final rule."""
    return pb.FinalRule(
        version=rule.version,
        kind=jpb.FinalRuleKind.Value(f"FINAL_RULE_KIND_{rule.kind.name}"),
        rounding=jpb.FinalRounding.Value(f"FINAL_ROUNDING_{rule.rounding.name}"),
        effective_from=local_date(rule.effective_from),
        author_id=str(rule.author_id or ""),
    )


def final_to_pb(final: finals.Final, *, of_record: bool = False) -> jpb.Final:
    """Map a final."""
    message = jpb.Final(
        final_id=str(final.id),
        student_id=str(final.student_id),
        group_id=str(final.group_id),
        discipline_id=str(final.discipline_id),
        period=period_to_pb(final.period),
        value=final.value,
        proposed_value=final.proposed_value or "",
        rule_version=final.rule_version,
        set_by=str(final.set_by),
        reason=final.reason,
        marks_count=final.marks_count,
        required_marks=final.required_marks,
        not_enough_marks_confirmed=final.not_enough_marks_confirmed,
        mark_of_record=of_record,
    )
    if final.set_at is not None:
        message.set_at.FromDatetime(final.set_at)
    return message


def _decimal(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _finals_to_pb(found: FinalsRead) -> list[jpb.Final]:
    return [final_to_pb(f, of_record=f.id in found.of_record) for f in found.finals]


async def get_rule(h: JournalHandlers, request: pb.GetFinalRuleRequest) -> pb.GetFinalRuleResponse:
    """GetFinalRule."""
    found = await h.finals.rule(_actor())
    return pb.GetFinalRuleResponse(
        rule=rule_to_pb(found.current), versions=[rule_to_pb(r) for r in found.versions]
    )


async def set_rule(h: JournalHandlers, request: pb.SetFinalRuleRequest) -> pb.SetFinalRuleResponse:
    """SetFinalRule."""
    cmd = SetFinalRule(
        kind=_RULE_KIND_FROM_PB.get(request.kind),
        rounding=_ROUNDING_FROM_PB.get(request.rounding),
        effective_from=date_from_pb(request.effective_from, "effective_from"),
    )
    return pb.SetFinalRuleResponse(rule=rule_to_pb(await h.finals.set_rule(cmd, _actor())))


async def propose(h: JournalHandlers, request: pb.ProposeFinalsRequest) -> pb.ProposeFinalsResponse:
    """ProposeFinals."""
    query = ProposeFinals(
        group_id=_id(request.group_id, "group_id"),
        discipline_id=_id(request.discipline_id, "discipline_id"),
        period=period_from_pb(request.period),
    )
    found = await h.finals.propose(query, _actor())
    return pb.ProposeFinalsResponse(
        rule=rule_to_pb(found.rule),
        students=[
            pb.ProposedFinal(
                student_id=str(item.proposal.student_id),
                marks_count=item.proposal.enough.marks_count,
                required_marks=item.proposal.enough.required,
                enough_marks=item.proposal.enough.enough,
                mean=_decimal(item.proposal.mean),
                weighted_mean=_decimal(item.proposal.weighted_mean),
                proposed_value=item.proposal.value or "",
                final=(
                    final_to_pb(item.final, of_record=finals.of_record_by_kind(item.final))
                    if item.final is not None
                    else None
                ),
            )
            for item in found.students
        ],
        allowed_values=found.allowed_values,
        weekly_hours=found.weekly_hours,
    )


async def set_final(h: JournalHandlers, request: pb.SetFinalRequest) -> pb.SetFinalResponse:
    """SetFinal."""
    value = request.value.strip()
    if not value or len(value) > MAX_FINAL_VALUE:
        raise InvalidArgument("Укажите итоговую оценку", code="invalid_final_value")
    cmd = SetFinal(
        group_id=_id(request.group_id, "group_id"),
        discipline_id=_id(request.discipline_id, "discipline_id"),
        student_id=_id(request.student_id, "student_id"),
        period=period_from_pb(request.period),
        value=value,
        reason=request.reason,
        confirm_not_enough_marks=request.confirm_not_enough_marks,
    )
    result = await h.finals.set(cmd, _actor())
    return pb.SetFinalResponse(
        final=final_to_pb(result.final, of_record=finals.of_record_by_kind(result.final)),
        changed=result.changed,
    )


async def student_finals(
    h: JournalHandlers, request: pb.GetStudentFinalsRequest
) -> pb.GetStudentFinalsResponse:
    """GetStudentFinals."""
    query = GetStudentFinals(
        student_id=_id(request.student_id, "student_id"),
        year_id=_id(request.year_id, "year_id") if request.year_id else None,
    )
    found = await h.finals.of_student(query, _actor())
    mapped = _finals_to_pb(found)
    return pb.GetStudentFinalsResponse(
        finals=mapped,
        marks_of_record=[f for f in mapped if f.mark_of_record],
        years=[mappers.year_to_pb(y) for y in found.years],
    )


async def group_finals(h: JournalHandlers, request: pb.GetGroupFinalsRequest) -> pb.GetGroupFinalsResponse:
    """GetGroupFinals (semester 0: every final of the year)."""
    if request.semester not in (0, 1, 2):
        raise finals.InvalidFinalPeriod()
    query = GetGroupFinals(
        group_id=_id(request.group_id, "group_id"),
        year_id=_id(request.year_id, "year_id"),
        semester=request.semester or None,
    )
    return pb.GetGroupFinalsResponse(finals=_finals_to_pb(await h.finals.of_group(query, _actor())))


async def too_few_marks(
    h: JournalHandlers, request: pb.ListStudentsWithTooFewMarksRequest
) -> pb.ListStudentsWithTooFewMarksResponse:
    """ListStudentsWithTooFewMarks."""
    query = ListStudentsWithTooFewMarks(
        group_id=_id(request.group_id, "group_id"),
        year_id=_id(request.year_id, "year_id"),
        semester=request.semester,
    )
    found = await h.finals.too_few_marks(query, _actor())
    return pb.ListStudentsWithTooFewMarksResponse(
        disciplines=[
            pb.DisciplineTooFewMarks(
                discipline_id=str(item.discipline_id),
                weekly_hours=item.weekly_hours,
                required_marks=item.required,
                students=[pb.StudentMarksCount(student_id=str(s), marks_count=c) for s, c in item.students],
            )
            for item in found
        ]
    )
