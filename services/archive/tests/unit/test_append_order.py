"""The log's append checks that the database numbered a batch in the records' order (the chain's):
rows that came back in another order are refused, so the batch rolls back rather than a chain whose
sequence disagrees with its hashes being kept."""

from __future__ import annotations

from typing import Any

import pytest
from archive_service.adapters.repositories import AuditLogRepository, ChainOrderBroken
from archive_service.domain import chain

from .test_chain import record


class Returned:
    def __init__(self, rows: list[tuple[int, str]]) -> None:
        self._rows = rows

    def all(self) -> list[tuple[int, str]]:
        return self._rows


class Session:
    """Answers the append's one statement with the rows it is given."""

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        self.rows = rows
        self.statements: list[tuple[Any, Any]] = []

    async def execute(self, statement: Any, params: Any) -> Returned:
        self.statements.append((statement, params))
        return Returned(self.rows)


def linked(count: int) -> list[Any]:
    records, prev = [], chain.GENESIS_HASH
    for n in range(count):
        records.append(chain.link(record(n), prev))
        prev = records[-1].chain_hash
    return records


async def test_a_batch_is_one_statement_and_takes_its_sequences_in_order() -> None:
    records = linked(3)
    session = Session([(11, records[0].event_id), (12, records[1].event_id), (13, records[2].event_id)])
    await AuditLogRepository(session).append(records)  # type: ignore[arg-type]
    assert len(session.statements) == 1 and len(session.statements[0][1]) == 3
    assert [r.sequence for r in records] == [11, 12, 13]


async def test_rows_numbered_out_of_the_records_order_are_refused() -> None:
    records = linked(2)
    session = Session([(11, records[1].event_id), (12, records[0].event_id)])
    with pytest.raises(ChainOrderBroken):
        await AuditLogRepository(session).append(records)  # type: ignore[arg-type]
    assert [r.sequence for r in records] == [None, None]
