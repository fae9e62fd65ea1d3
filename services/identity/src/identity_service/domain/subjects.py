"""NATS subjects of the events the identity service publishes (`<svc>.<aggregate>.<past-tense>.v<N>`)."""

PERSON_CREATED = "identity.person.created.v1"
GUARDIAN_LINKED = "identity.guardian.linked.v1"
