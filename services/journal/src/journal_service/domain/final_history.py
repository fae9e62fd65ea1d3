"""The history of a final (issue 7 item 6, slice K): every setting and change of a final kept as one
trail in final_changes — the first setting too, its old value empty («не было») — so who set it first
and when survives a change. Pure rules, no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from journal_service.domain import finals

NOT_SET = ""  # the old value of a final's first setting


def first_setting(final: finals.Final) -> finals.FinalChange:
    """The entry of a final's first setting: '' → its value, by its setter, with the proposal, the rule
    version and the reason it was set with (the time is the database's, as the final's set_at)."""
    return finals.FinalChange(
        id=uuid.uuid4(),
        final_id=final.id,
        changed_by=final.set_by,
        old_value=NOT_SET,
        new_value=final.value,
        proposed_value=final.proposed_value,
        rule_version=final.rule_version,
        reason=final.reason,
    )


@dataclass(frozen=True)
class FinalHistory:
    """A final as it is now and its settings and changes, oldest first."""

    final: finals.Final
    entries: list[finals.FinalChange]
