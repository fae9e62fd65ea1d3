"""The gateway remembers verified bearer tokens, but never beyond what the verifier would accept."""

from __future__ import annotations

import time

import pytest
from chassis.auth import EXPIRY_LEEWAY_SECONDS, JwtVerifier, Principal
from chassis.errors import Unauthenticated
from chassis.testing import LocalIssuer
from gateway.auth.bearer import VerifiedTokens


class Counting:
    """The issuer's real verifier, counting the tokens it is asked to check."""

    def __init__(self, issuer: LocalIssuer) -> None:
        self.real = issuer.verifier()
        self.checked: list[str] = []

    async def verify(self, token: str) -> Principal:
        self.checked.append(token)
        return await self.real.verify(token)


class Clock:
    """The wall clock, moved on by `shift` seconds."""

    def __init__(self) -> None:
        self.shift = 0.0

    def __call__(self) -> float:
        return time.time() + self.shift


def as_verifier(counting: Counting) -> JwtVerifier:
    return counting  # type: ignore[return-value]


async def test_a_token_is_verified_once_then_remembered(issuer: LocalIssuer) -> None:
    counting, tokens = Counting(issuer), VerifiedTokens()
    token = issuer.token("teacher-1", ("teacher",))
    first = await tokens.verify(as_verifier(counting), token)
    second = await tokens.verify(as_verifier(counting), token)
    assert first == second and first.subject == "teacher-1" and first.roles == {"teacher"}
    assert counting.checked == [token]


async def test_a_remembered_token_is_checked_again_once_past_its_expiry_and_leeway(
    issuer: LocalIssuer,
) -> None:
    clock = Clock()
    counting, tokens = Counting(issuer), VerifiedTokens(keep_seconds=3600, clock=clock)
    token = issuer.token("teacher-1", ("teacher",), lifetime=60)
    await tokens.verify(as_verifier(counting), token)
    clock.shift = 60 + EXPIRY_LEEWAY_SECONDS - 1
    await tokens.verify(as_verifier(counting), token)
    assert len(counting.checked) == 1, "still inside exp + leeway: remembered"
    clock.shift = 60 + EXPIRY_LEEWAY_SECONDS + 1
    await tokens.verify(as_verifier(counting), token)
    assert len(counting.checked) == 2, "past exp + leeway: the verifier decides again"


async def test_an_expired_token_is_refused_and_never_remembered(issuer: LocalIssuer) -> None:
    counting, tokens = Counting(issuer), VerifiedTokens()
    token = issuer.token("teacher-1", ("teacher",), lifetime=-60)
    for _ in range(2):
        with pytest.raises(Unauthenticated) as refused:
            await tokens.verify(as_verifier(counting), token)
        assert refused.value.code == "token_expired"
    assert len(counting.checked) == 2


async def test_a_token_is_remembered_for_keep_seconds_at_most(issuer: LocalIssuer) -> None:
    clock = Clock()
    counting, tokens = Counting(issuer), VerifiedTokens(keep_seconds=30, clock=clock)
    token = issuer.token("teacher-1", ("teacher",), lifetime=3600)
    await tokens.verify(as_verifier(counting), token)
    clock.shift = 31
    await tokens.verify(as_verifier(counting), token)
    assert len(counting.checked) == 2


async def test_the_oldest_token_is_dropped_when_full(issuer: LocalIssuer) -> None:
    counting, tokens = Counting(issuer), VerifiedTokens(max_entries=2)
    first, second, third = (issuer.token(f"s{n}", ("teacher",)) for n in range(3))
    for token in (first, second, third, second, third, first):
        await tokens.verify(as_verifier(counting), token)
    assert counting.checked == [first, second, third, first]
