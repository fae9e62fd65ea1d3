"""`ejournal-stack up|down|wipe|status [--profile dev|test]`: run the native local stack."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
from collections.abc import Iterator, Sequence

from devstack.profiles import CLI_CLIENT_ID, PROFILES, REALM
from devstack.seed import DemoSeed, demo_accounts
from devstack.stack import Stack, StackError

log = logging.getLogger("devstack")


@contextlib.contextmanager
def _seed_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        raise StackError("seed", f"seeding the demo college failed: {type(exc).__name__}: {exc}") from exc


def cmd_up(stack: Stack) -> int:
    """Start everything, seed the demo college and print where to go."""
    began = time.monotonic()
    # The seed's identity CLI starts now and creates the people once Keycloak is ready, while the
    # services become healthy; the rest of the college goes over REST once they are.
    with _seed_errors():
        seeding = DemoSeed.begin(stack)
    try:
        timings = stack.up(on_keycloak_ready=seeding.send_people if seeding else None)
        with _seed_errors():
            accounts = seeding.finish() if seeding else demo_accounts()
    finally:
        if seeding is not None:
            seeding.abort()
    total = time.monotonic() - began
    print()
    print(
        f"ejournal stack '{stack.profile.name}' is up in {total:.1f} s "
        f"(Keycloak {timings.get('keycloak', 0.0):.1f} s)"
    )
    print(f"  Portal:   {stack.gateway_url}/")
    print(
        f"  Keycloak: {stack.keycloak_url}/admin/  (realm {REALM}; admin user 'admin', "
        f"password in {stack.secrets.path})"
    )
    print(f"  Logs:     {stack.logs_dir}")
    if stack.server_dir is not None:
        print(f"  Database: {stack.postgres_data_dir}  (outside the checkout: its server user must reach it)")
    print("  Demo accounts (role, username, password):")
    width = max(len(role) for role, _, _ in accounts)
    for role, username, password in accounts:
        print(f"    {role:<{width}}  {username}  {password}")
    print(
        f"  Token for scripts: POST {stack.issuer}/protocol/openid-connect/token "
        f"(client_id={CLI_CLIENT_ID}, grant_type=password)"
    )
    return 0


def cmd_status(stack: Stack) -> int:
    """Print each component's state; exit 1 if something is down."""
    rows = stack.status()
    for row in rows:
        print(f"{row.name:<12} {'up' if row.running else 'down':<5} {row.detail}")
    return 0 if all(row.running for row in rows) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ejournal-stack command line."""
    parser = argparse.ArgumentParser(prog="ejournal-stack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "wipe", "status"])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="dev")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument(
        "--force", action="store_true", help="down/wipe even while a test run uses the profile"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s [stack:" + args.profile + "] %(message)s",
        datefmt="%H:%M:%S",
    )
    # One line per HTTP poll would drown the progress messages.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    stack = Stack(args.profile)
    try:
        if args.command == "up":
            return cmd_up(stack)
        if args.command in ("down", "wipe") and not args.force:
            holder = stack.lock_holder()
            if holder is not None:
                # Stopping it would break a running pytest session; it stops its stack when it ends.
                print(
                    f"stack '{args.profile}' is in use by a test run (pid {holder}); left alone "
                    "(--force to stop it anyway)"
                )
                return 0
        if args.command == "down":
            stack.stop()
            kept = f"{stack.data_dir}" + (f" and {stack.server_dir}" if stack.server_dir else "")
            print(f"stack '{args.profile}' stopped (data kept in {kept})")
            return 0
        if args.command == "wipe":
            stack.wipe()
            gone = f"{stack.data_dir}" + (f" and {stack.server_dir}" if stack.server_dir else "")
            print(f"stack '{args.profile}' stopped and {gone} deleted")
            return 0
        return cmd_status(stack)
    except StackError as exc:
        print(f"\nejournal-stack {args.command} failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; what started keeps running — `ejournal-stack down` stops it", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
