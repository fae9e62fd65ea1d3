"""NATS subjects reports consumes (published by other services)."""

MARK_RECORDED = "journal.mark.recorded.v1"
