"""The NATS users and permissions: the committed config is the table's rendering, and the table is narrow."""

from __future__ import annotations

import re

import pytest
from devstack import nats_auth
from devstack.profiles import NATS_USERS, SERVICES
from devstack.secrets_store import Secrets
from devstack.stack import find_repo_root

CONFIG = find_repo_root() / "deploy" / "local" / "nats" / "nats-server.conf"


def test_the_committed_config_is_the_rendered_table() -> None:
    text = CONFIG.read_text()
    assert nats_auth.rendered_part(text) == nats_auth.render(), "run `python -m devstack.nats_auth --write`"


def test_nobody_connects_anonymously() -> None:
    settings = [line for line in CONFIG.read_text().splitlines() if not line.lstrip().startswith("#")]
    assert not any("no_auth_user" in line for line in settings)
    users = re.findall(r"^\s*user: (\w+)$", CONFIG.read_text(), flags=re.MULTILINE)
    assert users == list(NATS_USERS)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_publishes_only_its_own_subjects(service: str) -> None:
    plain = [s for s in nats_auth.publish_allow(service) if not s.startswith("$JS.")]
    assert plain == [f"{service}.>", f"audit.{service}.>", f"dlq.{service}"]
    for other in set(SERVICES) - {service}:
        assert not any(s.startswith((f"{other}.", f"audit.{other}.", f"dlq.{other}")) for s in plain)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_reads_only_its_own_inbox_and_the_streams_it_consumes(service: str) -> None:
    assert nats_auth.subscribe_allow(service) == [f"_INBOX.{service}.>"]
    api = [s for s in nats_auth.publish_allow(service) if s.startswith("$JS.")]
    consumed = {s.split(".")[5] for s in api if s.startswith("$JS.API.CONSUMER.MSG.NEXT.")}
    assert consumed == set(nats_auth.CONSUMES[service])
    # Nothing that deletes, purges or reads a stream around a consumer.
    for verb in ("DELETE", "PURGE", "MSG.GET", "DIRECT.GET", "STREAM.LIST", "STREAM.NAMES"):
        assert not any(verb in s for s in api), verb
    # Another producer's stream is never updated by a consumer.
    updated = {s.rsplit(".", 1)[1] for s in api if s.startswith("$JS.API.STREAM.UPDATE.")}
    assert updated == {nats_auth.stream_of(service), "AUDIT", "DLQ"}


def test_nats_passwords_survive_the_config_parser(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secrets = Secrets(tmp_path / "secrets.json")
    for user in NATS_USERS:
        # A `$VAR` from the environment is parsed as a value: a leading digit would make it a number.
        assert re.fullmatch(r"n[0-9a-f]{48}", secrets.nats_password(user))


def test_the_chassis_knows_every_service_client() -> None:
    # The gRPC allow-lists (chassis.auth) concern exactly the service accounts devstack configures.
    from chassis.auth import SERVICE_CLIENTS
    from devstack.profiles import service_client_id

    assert {service_client_id(service) for service in SERVICES} == SERVICE_CLIENTS
