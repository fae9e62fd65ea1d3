"""Academic debts between protobuf and the domain: a debt with its retakes, the next step by name."""

from __future__ import annotations

from datetime import date

from ejournal.journal.v1 import journal_service_pb2 as pb

from journal_service.application.marks import local_date
from journal_service.domain import debts, retakes

_NEXT_STEP_TO_PB = {step: pb.DebtNextStep.Value(f"DEBT_NEXT_STEP_{step.name}") for step in debts.NextStep}


def retake_to_pb(retake: retakes.Retake) -> pb.Retake:
    """Map a retake."""
    commission = retake.commission
    return pb.Retake(
        retake_id=str(retake.id),
        final_id=str(retake.final_id),
        attempt=retake.attempt,
        retake_date=local_date(retake.retake_date),
        value=retake.value,
        passed=retake.passed,
        commission_member_ids=[str(m) for m in commission.member_ids] if commission else [],
        commission_chairman_id=str(commission.chairman_id) if commission else "",
        recorded_by=str(retake.recorded_by),
    )


def debt_to_pb(debt: debts.Debt, today: date) -> pb.AcademicDebt:
    """Map a debt as it stands on `today`."""
    final = debt.final
    return pb.AcademicDebt(
        final_id=str(final.id),
        student_id=str(final.student_id),
        group_id=str(final.group_id),
        discipline_id=str(final.discipline_id),
        year_id=str(final.period.year_id),
        semester=final.period.semester,
        final_kind=final.period.kind.value,
        final_value=final.value,
        final_date=local_date(debt.final_date),
        deadline=local_date(debt.deadline),
        retakes=[retake_to_pb(r) for r in debt.retakes],
        closed=debt.closed,
        mark_of_record=debt.mark_of_record,
        next_step=_NEXT_STEP_TO_PB[debt.next_step(today)],
    )
