"""settle_heap: a started service's collector leaves its long-lived objects alone (run in a fresh
interpreter, so this process's collector stays as pytest set it)."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import gc, json
from chassis.runtime import YOUNG_GENERATION_THRESHOLD, settle_heap
kept = [[i] for i in range(1000)]  # long-lived objects built at start
before = {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}
settle_heap()
after = {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count(), "tracked": gc.get_count()[0]}
print(json.dumps({"before": before, "after": after, "young": YOUNG_GENERATION_THRESHOLD}))
"""


def test_settle_heap_freezes_what_the_start_built_and_raises_the_young_threshold() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True, text=True).stdout
    seen = json.loads(out)
    assert seen["before"]["frozen"] == 0
    assert seen["before"]["threshold"][0] == 700  # CPython's default
    # Everything alive at the call (the imports and the probe's 1,000 lists) is out of the collector's way.
    assert seen["after"]["frozen"] > 1000
    assert seen["after"]["threshold"] == [seen["young"], *seen["before"]["threshold"][1:]]
