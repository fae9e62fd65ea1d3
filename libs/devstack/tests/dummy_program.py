"""A stand-in for a service or the gateway: serves gRPC health (or HTTP /healthz) on the port its env names.

Usage: `python dummy_program.py <name> [--crash-after SECONDS]`. Used to exercise the supervisor and
`wait_healthy()` before the real programs boot.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Healthz(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/healthz" else 404
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok\n" if status == 200 else b"")

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("--crash-after", type=float, default=None)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if args.name == "gateway":
        server = ThreadingHTTPServer(
            (os.environ["GATEWAY_HTTP_HOST"], int(os.environ["GATEWAY_HTTP_PORT"])), _Healthz
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        close = server.shutdown
    else:
        import grpc
        from grpc_health.v1 import health, health_pb2, health_pb2_grpc

        prefix = args.name.upper()
        grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        servicer = health.HealthServicer()
        servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        health_pb2_grpc.add_HealthServicer_to_server(servicer, grpc_server)
        grpc_server.add_insecure_port(
            f"{os.environ[prefix + '_GRPC_HOST']}:{os.environ[prefix + '_GRPC_PORT']}"
        )
        grpc_server.start()
        close = lambda: grpc_server.stop(1)  # noqa: E731
    print(f"dummy {args.name} up (pid {os.getpid()})", flush=True)
    began = time.monotonic()
    while not stop.wait(0.2):
        if args.crash_after is not None and time.monotonic() - began > args.crash_after:
            print(f"dummy {args.name} crashing on purpose", flush=True)
            return 3
    close()
    print(f"dummy {args.name} stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
