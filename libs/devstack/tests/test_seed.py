"""The demo seed's people: one identity admin CLI batch, started early, fed once Keycloak is ready."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from devstack import seed
from devstack.keycloak import cds_archive
from devstack.stack import Stack

# Stands in for `ejournal-identity-admin batch`: one person per create-person step, then the link.
FAKE_CLI = """#!{python}
import json, sys, uuid
assert sys.argv[1:] == ["batch"], sys.argv
open({started!r}, "w").write("started")
plan = json.loads(sys.stdin.read())
results = []
for step in plan:
    argv = step["argv"]
    if argv[0] == "create-person":
        results.append({{"person_id": str(uuid.uuid4()), "role": argv[argv.index("--role") + 1]}})
    else:
        results.append({{"created": True}})
print(json.dumps(results))
"""


def test_the_plan_creates_every_demo_account_and_links_the_parent() -> None:
    plan = seed.people_plan()
    ids = [step.get("id") for step in plan]
    assert ids[:8] == [username for username, *_ in seed.DEMO_ACCOUNTS]
    assert ids[8:11] == ["classmate1", "classmate2", "classmate3"]
    assert plan[-1]["argv"] == [
        "link-guardian", "--parent-id", "${parent.person_id}", "--student-id", "${student.person_id}"
    ]  # fmt: skip
    admin = plan[0]["argv"]
    assert admin[admin.index("--password") + 1] == seed.DEMO_PASSWORD


def test_the_identity_cli_accepts_the_plan() -> None:
    # A contract check against the real CLI's plan parser (no process, no connection).
    from identity_service.cli import parse_plan

    steps = parse_plan(json.dumps(seed.people_plan()))
    assert len(steps) == 12


@pytest.fixture
def fake_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    monkeypatch.setenv("EJOURNAL_SERVER_STATE_DIR", str(tmp_path / "state"))
    stack = Stack("dev", repo=tmp_path / "repo")
    bin_dir = stack.venv_bin
    bin_dir.mkdir(parents=True)
    script = bin_dir / "ejournal-identity-admin"
    script.write_text(FAKE_CLI.format(python=sys.executable, started=str(tmp_path / "started")))
    script.chmod(0o755)
    return stack


def test_the_cli_starts_before_its_plan_and_the_people_come_back_by_id(
    fake_stack: Stack, tmp_path: Path
) -> None:
    seeding = seed.DemoSeed.begin(fake_stack)
    assert seeding is not None
    try:
        seeding.send_people()
        people = seeding._people()
    finally:
        seeding.abort()
    assert (tmp_path / "started").exists()
    assert set(people) == {*(u for u, *_ in seed.DEMO_ACCOUNTS), "classmate1", "classmate2", "classmate3"}
    assert len(set(people.values())) == 11


def test_a_seeded_cluster_is_not_seeded_again(fake_stack: Stack) -> None:
    fake_stack.demo_marker.parent.mkdir(parents=True)
    fake_stack.demo_marker.write_text("{}")
    assert seed.DemoSeed.begin(fake_stack) is not None, "a marker without its cluster means nothing"
    (fake_stack.postgres_data_dir).mkdir(parents=True)
    (fake_stack.postgres_data_dir / "PG_VERSION").write_text("15\n")
    assert seed.DemoSeed.begin(fake_stack) is None


def test_a_failed_batch_names_the_cli(fake_stack: Stack) -> None:
    script = fake_stack.venv_bin / "ejournal-identity-admin"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\nsys.exit('boom')\n")
    seeding = seed.DemoSeed.begin(fake_stack)
    assert seeding is not None
    with pytest.raises(RuntimeError, match="identity admin CLI batch failed: boom"):
        seeding._people()


def test_class_data_archives_are_per_jvm_flavour(tmp_path: Path) -> None:
    jdk_a, jdk_b = tmp_path / "jdk-a", tmp_path / "jdk-b"
    dev = cds_archive(tmp_path, jdk_a, fast_jvm=False)
    assert dev == cds_archive(tmp_path, jdk_a, fast_jvm=False)
    assert dev.parent == tmp_path and dev.suffix == ".jsa"
    assert (
        len({dev, cds_archive(tmp_path, jdk_a, fast_jvm=True), cds_archive(tmp_path, jdk_b, fast_jvm=False)})
        == 3
    )
    assert os.path.basename(dev).startswith("cds-")
