"""Benchmarks that print figures (not tests): run with `make bench` against the dev stack.

Each figure is measured against its raw floor in the same run:
- a student's diary: bare SQL on the journal database → gRPC ListStudentMarks → gateway REST;
- recording a mark: bare INSERT (mark + outbox row, one transaction) → gateway REST.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import asyncpg
import grpc
import httpx
from devstack.seed import DEMO_PASSWORD
from devstack.stack import Stack
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc

ROUNDS = 300


def token(stack: Stack, username: str) -> str:
    """Get a demo user's access token through the dev-only direct-grant client."""
    reply = httpx.post(
        f"{stack.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "ejournal-cli",
            "username": username,
            "password": DEMO_PASSWORD,
        },
        timeout=30,
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


async def measure(name: str, call: Callable[[], Awaitable[object]], rounds: int = ROUNDS) -> dict[str, float]:
    """Time `rounds` sequential calls after a warm-up; return median, p95 and throughput."""
    for _ in range(20):
        await call()
    samples = []
    began = time.perf_counter()
    for _ in range(rounds):
        t0 = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - began
    samples.sort()
    return {
        "name": name,  # type: ignore[dict-item]
        "median_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
        "per_s": rounds / total,
    }


async def prepare(stack: Stack, admin: str, teacher_id: str) -> dict[str, str]:
    """Create a bench-only student, group and discipline, so the demo college stays as seeded."""
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=headers, timeout=30) as http:

        async def post(path: str, body: dict[str, str]) -> dict[str, str]:
            reply = await http.post(path, json=body)
            reply.raise_for_status()
            return dict(reply.json())

        tag = uuid.uuid4().hex[:6]
        student = await post(
            "/api/v1/people", {"role": "student", "last_name": "Замеров", "first_name": "Бенч"}
        )
        group = await post("/api/v1/groups", {"name": f"БЕНЧ-{tag}"})
        discipline = await post("/api/v1/disciplines", {"name": f"Замеры {tag}", "kind": "discipline"})
        await post(f"/api/v1/groups/{group['group_id']}/students", {"student_id": student["person_id"]})
        await post(
            "/api/v1/teaching-loads",
            {
                "teacher_id": teacher_id,
                "group_id": group["group_id"],
                "discipline_id": discipline["discipline_id"],
            },
        )
    return {
        "student_id": student["person_id"],
        "group_id": group["group_id"],
        "discipline_id": discipline["discipline_id"],
    }


async def main() -> int:
    stack = Stack("dev")
    seeded = json.loads((stack.data_dir / "demo-seeded.json").read_text())
    teacher_id = seeded["people"]["teacher"]
    teacher_token = token(stack, "teacher")
    ids = await prepare(stack, token(stack, "admin"), teacher_id)
    student_id = ids["student_id"]
    dsn = stack.database_url("journal").replace("postgresql+asyncpg://", "postgresql://", 1)
    lesson = date.today() - timedelta(days=1)
    results = []
    conn = await asyncpg.connect(dsn)
    insert_mark = (
        "INSERT INTO marks (id, student_id, group_id, discipline_id, teacher_id, lesson_date, value) "
        "VALUES ($1, $2, $3, $4, $5, $6, '4')"
    )

    async def insert_sql() -> None:
        async with conn.transaction():
            await conn.execute(
                insert_mark,
                uuid.uuid4(), uuid.UUID(student_id), uuid.UUID(ids["group_id"]),
                uuid.UUID(ids["discipline_id"]), uuid.UUID(teacher_id), lesson,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO outbox (id, subject, payload, headers, published_at) "
                "VALUES ($1, 'bench.raw.v1', '\\x00', '{}', now())",
                uuid.uuid4(),
            )

    teacher_headers = {"Authorization": f"Bearer {teacher_token}"}
    body = {
        **{k: ids[k] for k in ("student_id", "group_id", "discipline_id")},
        "lesson_date": lesson.isoformat(),
    }
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        results.append(await measure("record mark: bare INSERT + outbox", insert_sql, rounds=100))

        async def record_rest() -> None:
            (
                await http.post("/api/v1/marks", json={**body, "value": "5"}, headers=teacher_headers)
            ).raise_for_status()

        results.append(await measure("record mark: gateway REST", record_rest, rounds=100))

        diary_sql = (
            "SELECT id, student_id, group_id, discipline_id, teacher_id, lesson_date, value, recorded_at "
            "FROM marks WHERE student_id = $1 ORDER BY lesson_date DESC, recorded_at DESC LIMIT 500"
        )
        results.append(
            await measure("diary (240 marks): bare SQL", lambda: conn.fetch(diary_sql, uuid.UUID(student_id)))
        )
        channel = grpc.aio.insecure_channel(stack.grpc_addr("journal"))
        stub = pb_grpc.JournalServiceStub(channel)
        md = (("authorization", f"Bearer {teacher_token}"),)
        results.append(
            await measure(
                "diary (240 marks): gRPC",
                lambda: stub.ListStudentMarks(pb.ListStudentMarksRequest(student_id=student_id), metadata=md),
            )
        )

        async def diary_rest() -> None:
            (
                await http.get(f"/api/v1/students/{student_id}/marks", headers=teacher_headers)
            ).raise_for_status()

        results.append(await measure("diary (240 marks): gateway REST", diary_rest))
        await channel.close()
    await conn.close()

    print(f"\n{'benchmark':<36}{'median ms':>11}{'p95 ms':>9}{'per s':>9}")
    for r in results:
        print(f"{r['name']:<36}{r['median_ms']:>11.2f}{r['p95_ms']:>9.2f}{r['per_s']:>9.0f}")
    print("\nSequential calls from one client over loopback on this machine; a teacher reads the diary")
    print("(so every read is audited). Bench data lives in its own group «БЕНЧ-…».")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
