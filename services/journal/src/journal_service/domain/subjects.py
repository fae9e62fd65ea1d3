"""NATS subjects of the events the journal publishes (`<svc>.<aggregate>.<past-tense>.v<N>`)."""

MARK_RECORDED = "journal.mark.recorded.v1"
GROUP_CREATED = "journal.group.created.v1"
STUDENT_ENROLLED = "journal.enrollment.created.v1"
LOAD_ASSIGNED = "journal.load.assigned.v1"
