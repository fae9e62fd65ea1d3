"""Parents' access as a date, for other services (ADR 0013): each guardian link with the first day
the parent no longer reads the student's data. The rule itself is `parent_access.access_until`;
this module only carries its answer and pages through the links."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.errors import InvalidArgument

from identity_service.domain.parent_access import access_until

DEFAULT_FACTS_PAGE = 500
MAX_FACTS_PAGE = 1000


@dataclass(frozen=True)
class LinkState:
    """What the rule reads of one guardian link: the student's birth date and the consent."""

    student_id: uuid.UUID
    parent_id: uuid.UUID
    birth_date: date | None
    consent: bool

    @property
    def access_until(self) -> date | None:
        """The first day the parent no longer reads the student's data; None: no end known."""
        return access_until(self.birth_date, self.consent)


LinkKey = tuple[uuid.UUID, uuid.UUID]


def page_token(last: LinkState) -> str:
    """Return the token of the page after this link (links go in (student, parent) order)."""
    return f"{last.student_id}:{last.parent_id}"


def parse_page_token(token: str) -> LinkKey | None:
    """Return the (student, parent) the page starts after; empty → None; anything else refused."""
    if not token:
        return None
    student, _, parent = token.partition(":")
    try:
        return uuid.UUID(student), uuid.UUID(parent)
    except ValueError:
        raise PageTokenInvalid() from None


class PageTokenInvalid(InvalidArgument):
    """The page token is not one this RPC gave."""

    def __init__(self) -> None:
        super().__init__(
            "Неверный признак страницы: передайте next_page_token из предыдущего ответа",
            code="invalid_page_token",
        )
