"""The realm devstack imports: the production realm plus the dev/test overlay, merged at start.

`deploy/keycloak/ejournal-realm.json` is the production realm (no password-grant client, one exact
redirect URI `${EJOURNAL_PORTAL_URL}/auth/callback`). `deploy/local/keycloak/ejournal-realm.dev-overlay.json`
adds what only a developer's or a test lane's Keycloak may have: the direct-grant client `ejournal-cli`.
The portal client's redirect URIs are generated here from the stack profiles (dev and every test
lane, `http://127.0.0.1:<gateway port>/auth/callback`), exact, never a wildcard. The demo users are
not in any realm file: `devstack.seed` creates them through the identity admin CLI.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from devstack.profiles import HOST, PORTAL_CLIENT_ID, PROFILES

PRODUCTION_REALM = Path("deploy") / "keycloak" / "ejournal-realm.json"
DEV_OVERLAY = Path("deploy") / "local" / "keycloak" / "ejournal-realm.dev-overlay.json"
PASSWORD_DENY_LISTS = Path("deploy") / "keycloak" / "password-blacklists"
"""The folder Keycloak reads `passwordBlacklist(<file>)` from (`-Dkeycloak.password.blacklists.path`)."""
PORTAL_URL_PLACEHOLDER = "${EJOURNAL_PORTAL_URL}"
MERGED_NAME = "ejournal-realm.json"


def portal_origins() -> list[str]:
    """Return the portal origin of every profile (dev and the test lanes), in port order."""
    return [f"http://{HOST}:{port}" for port in sorted({p.gateway_port for p in PROFILES.values()})]


def _portal_for_lanes(client: dict[str, Any], origins: list[str], own_origin: str) -> dict[str, Any]:
    portal = copy.deepcopy(client)
    portal["rootUrl"] = own_origin
    portal["redirectUris"] = [f"{origin}/auth/callback" for origin in origins]
    portal["webOrigins"] = list(origins)
    portal["attributes"]["post.logout.redirect.uris"] = "##".join(f"{origin}/" for origin in origins)
    return portal


def merged_realm(repo: Path, *, own_origin: str | None = None) -> dict[str, Any]:
    """Return the production realm with the dev/test overlay: overlay clients added, lane redirects set."""
    realm: dict[str, Any] = json.loads((repo / PRODUCTION_REALM).read_text(encoding="utf-8"))
    overlay: dict[str, Any] = json.loads((repo / DEV_OVERLAY).read_text(encoding="utf-8"))
    origins = portal_origins()
    own = own_origin or origins[0]
    clients: list[dict[str, Any]] = []
    for client in realm["clients"]:
        clients.append(
            _portal_for_lanes(client, origins, own) if client["clientId"] == PORTAL_CLIENT_ID else client
        )
    added = {client["clientId"] for client in overlay.get("clients", [])}
    clients = [c for c in clients if c["clientId"] not in added] + list(overlay.get("clients", []))
    realm["clients"] = clients
    if PORTAL_URL_PLACEHOLDER in json.dumps(realm):
        raise ValueError(f"{PORTAL_URL_PLACEHOLDER} left in the merged realm outside the portal client")
    return realm


def write_merged_realm(repo: Path, dest_dir: Path, *, own_origin: str | None = None) -> Path:
    """Write the merged realm into `dest_dir` (Keycloak's import folder) and return the file."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / MERGED_NAME
    text = json.dumps(merged_realm(repo, own_origin=own_origin), ensure_ascii=False, indent=2)
    target.write_text(text + "\n", encoding="utf-8")
    return target


def main() -> None:
    """`python -m devstack.realm [origin]`: print the merged dev/test realm (for an external Keycloak)."""
    import sys

    from devstack.stack import find_repo_root

    own = sys.argv[1] if len(sys.argv) > 1 else None
    print(json.dumps(merged_realm(find_repo_root(), own_origin=own), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
