"""The one gRPC → HTTP table and the JSON log line."""

from __future__ import annotations

import json
import logging

import grpc
from chassis.context import request_id_var
from chassis.grpc_errors import http_status_for
from chassis.logging import JsonFormatter


def test_status_table() -> None:
    assert http_status_for(grpc.StatusCode.INVALID_ARGUMENT) == 400
    assert http_status_for(grpc.StatusCode.UNAUTHENTICATED) == 401
    assert http_status_for(grpc.StatusCode.PERMISSION_DENIED) == 403
    assert http_status_for(grpc.StatusCode.NOT_FOUND) == 404
    assert http_status_for(grpc.StatusCode.FAILED_PRECONDITION) == 409
    assert http_status_for(grpc.StatusCode.UNAVAILABLE) == 503
    assert http_status_for(grpc.StatusCode.INTERNAL) == 500
    assert http_status_for(grpc.StatusCode.DATA_LOSS) == 500


def test_json_log_line_carries_service_request_id_and_extras() -> None:
    token = request_id_var.set("req-42")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "оценка выставлена", None, None)
        record.mark_id = "m-1"
        line = json.loads(JsonFormatter("journal").format(record))
    finally:
        request_id_var.reset(token)
    assert line["service"] == "journal" and line["request_id"] == "req-42"
    assert line["msg"] == "оценка выставлена" and line["mark_id"] == "m-1"
