"""Protobuf timestamps for events."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp


def now_timestamp() -> Timestamp:
    """Return the current instant as a protobuf Timestamp (UTC)."""
    stamp = Timestamp()
    stamp.GetCurrentTime()
    return stamp
