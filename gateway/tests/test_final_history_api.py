"""REST route of a final's history (issue 7 item 6, slice K): the final and its entries in order, the
first setting's «не было» as null; the journal's refusal passed with its code; a bad id refused at the
edge without asking the journal."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
from ejournal.journal.v1 import journal_service_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from .test_finals_api import FINAL, TEACHER

ADMIN = "00000000-0000-4000-8000-0000000000ad"


def _at(hour: int) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime(2026, 12, 20, hour, tzinfo=UTC))
    return stamp


async def test_a_finals_history_reads_in_order(client, bearer, fakes) -> None:
    fakes.journal.reply(
        "GetFinalHistory",
        pb.GetFinalHistoryResponse(
            final=FINAL,
            entries=[
                pb.FinalHistoryEntry(
                    entry_id="e1",
                    changed_by=TEACHER,
                    changed_at=_at(9),
                    new_value="4",
                    proposed_value="4",
                    rule_version=2,
                    reason="Экзамен",
                ),
                pb.FinalHistoryEntry(
                    entry_id="e2",
                    changed_by=ADMIN,
                    changed_at=_at(11),
                    old_value="4",
                    new_value="5",
                    rule_version=2,
                    reason="Апелляция",
                ),
            ],
        ),
    )
    response = await client.get(f"/api/v1/finals/{FINAL.final_id}/history", headers=bearer(("parent",)))
    assert response.status_code == 200
    body = response.json()
    assert (body["final"]["final_id"], body["final"]["value"]) == (FINAL.final_id, "5")
    assert [
        (e["actor_id"], e["old_value"], e["new_value"], e["proposed_value"], e["rule_version"], e["text"])
        for e in body["entries"]
    ] == [
        (TEACHER, None, "4", "4", 2, "Экзамен"),
        (ADMIN, "4", "5", None, 2, "Апелляция"),
    ]
    assert body["entries"][0]["at"].startswith("2026-12-20T09:00")
    assert fakes.journal.last("GetFinalHistory").request.final_id == FINAL.final_id


async def test_the_journals_refusal_passes_and_a_bad_id_stops_at_the_edge(client, bearer, fakes) -> None:
    fakes.journal.fail(
        "GetFinalHistory", grpc.StatusCode.NOT_FOUND, "Итоговая оценка не найдена", "final_not_found"
    )
    response = await client.get(f"/api/v1/finals/{FINAL.final_id}/history", headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "final_not_found")
    response = await client.get("/api/v1/finals/не-ид/history", headers=bearer(("student",)))
    assert response.status_code == 400
