"""Per-profile secrets, generated once and kept in `.stack/<profile>/secrets.json` (mode 600)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from devstack.profiles import DATABASES, NATS_USERS, SERVICES, service_client_id


def _token() -> str:
    # URL-safe so the values can sit in DSNs and shell commands without quoting.
    return secrets.token_urlsafe(24)


def _nats_password() -> str:
    # NATS parses a `$VAR` taken from the environment as a config value: hex behind a letter always
    # reads back as the same plain string (a value starting with a digit or `-` might be a number).
    return "n" + secrets.token_hex(24)


def _wanted_keys() -> list[str]:
    keys = ["postgres_superuser_password", "keycloak_admin_password", "gateway_session_secret"]
    keys += [f"db_password.{db}" for db in DATABASES]
    keys += [f"client_secret.{service_client_id(svc)}" for svc in SERVICES]
    keys += [f"nats_password.{user}" for user in NATS_USERS]
    return keys


class Secrets:
    """Load, complete and persist the secrets of one profile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._values: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._values is not None:
            return self._values
        values: dict[str, str] = {}
        if self.path.exists():
            values = {str(k): str(v) for k, v in json.loads(self.path.read_text()).items()}
        missing = [key for key in _wanted_keys() if key not in values]
        if missing:
            for key in missing:
                values[key] = _nats_password() if key.startswith("nats_password.") else _token()
            self._save(values)
        self._values = values
        return values

    def _save(self, values: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        # Create with 0600 from the start: the file must never be readable by others, even briefly.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(values, fh, indent=2, sort_keys=True)
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)

    def get(self, key: str) -> str:
        """Return a secret by key, generating the file on first use."""
        return self._load()[key]

    def db_password(self, database: str) -> str:
        """Return the password of a database role."""
        return self.get(f"db_password.{database}")

    def nats_password(self, user: str) -> str:
        """Return the password of a NATS user (a service's, or the admin's)."""
        return self.get(f"nats_password.{user}")

    def client_secret(self, client_id: str) -> str:
        """Return a confidential Keycloak client's secret.

        An `EJOURNAL_KC_SECRET_<SVC>` environment variable wins over the stored value, so tests can
        talk to an external Keycloak that was started with those same variables.
        """
        if client_id.startswith("ejournal-"):
            override = os.environ.get(client_secret_env(client_id))
            if override:
                return override
        try:
            return self.get(f"client_secret.{client_id}")
        except KeyError:
            raise KeyError(f"no secret for Keycloak client {client_id!r} (it is public or unknown)") from None


def client_secret_env(client_id: str) -> str:
    """Return the realm-file placeholder variable that carries a client's secret."""
    return "EJOURNAL_KC_SECRET_" + client_id.removeprefix("ejournal-").upper()


def nats_password_env(user: str) -> str:
    """Return the variable deploy/local/nats/nats-server.conf reads a NATS user's password from."""
    return "EJOURNAL_NATS_PASSWORD_" + user.upper()
