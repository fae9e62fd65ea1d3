"""Which parents are told of a student's marks (issue 8 item 5, ADR 0013).

Identity alone applies the rule of adult students' parents and publishes, per guardian link, the
first day the parent no longer reads the student's data (`access_until`; none: no end known).
Messaging only compares that date with the college's today: it holds no birth dates, no consents and
no second copy of the rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AccessFact:
    """A guardian link with the date its access ends, as identity published it."""

    student_id: uuid.UUID
    parent_id: uuid.UUID
    access_until: date | None


@dataclass(frozen=True)
class Reader:
    """A projected parent of a student; `known` False while identity's fact of the link is missing."""

    parent_id: uuid.UUID
    access_until: date | None = None
    known: bool = True


def reads_on(access_until: date | None, today: date) -> bool:
    """Return True while the link gives access on `today` (before its end, or no end known)."""
    return access_until is None or today < access_until


def told(readers: Iterable[Reader], today: date) -> list[uuid.UUID]:
    """Return the parents to tell today, in the readers' order; a link without a fact is not told
    (its fact is asked of identity first: see the handlers)."""
    return [r.parent_id for r in readers if r.known and reads_on(r.access_until, today)]


def all_known(readers: Iterable[Reader]) -> bool:
    """Return True when identity's fact of every link is in the projection."""
    return all(r.known for r in readers)
