"""NATS subjects the archive consumes (audit records of every service)."""

AUDIT_RECORDED = "audit.>"
