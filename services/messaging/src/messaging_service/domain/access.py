"""Who may read which notifications: a person reads only their own."""

from __future__ import annotations

import uuid

from chassis.principal import Principal

from messaging_service.domain import errors


def recipient_id(principal: Principal) -> uuid.UUID:
    """Return the caller's person id as a recipient; service accounts and odd subjects are refused."""
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        raise errors.PersonRequired() from None
