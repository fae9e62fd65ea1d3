"""The project's Keycloak extensions: built into a JAR keyed by their sources, installed into a home of
their own (the shared pristine home stays as unpacked)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from devstack.keycloak import cds_archive
from devstack.keycloak_extensions import (
    build_extension,
    ensure_extended_home,
    extensions_digest,
    find_javac,
    main,
    repo_extensions,
)
from devstack.stack import find_repo_root

SERVICES_FILE = "META-INF/services/org.keycloak.authentication.RequiredActionFactory"


def _extension(root: Path, body: str = "return 1;") -> Path:
    source = root / "demo-guard"
    java = source / "src" / "main" / "java" / "ru" / "ejournal" / "demo"
    java.mkdir(parents=True, exist_ok=True)
    (java / "Guard.java").write_text(
        f"package ru.ejournal.demo;\npublic class Guard {{ int order() {{ {body} }} }}\n"
    )
    services = source / "src" / "main" / "resources" / "META-INF" / "services"
    services.mkdir(parents=True, exist_ok=True)
    (services / "org.keycloak.authentication.RequiredActionFactory").write_text("ru.ejournal.demo.Guard\n")
    return source


def _pristine_home(root: Path) -> Path:
    home = root / "keycloak-9.9.9"
    for folder in ("bin", "lib/lib/main", "lib/lib/boot", "providers", "data/tmp"):
        (home / folder).mkdir(parents=True)
    (home / "bin" / "kc.sh").write_text("#!/bin/sh\n")
    (home / ".ejournal-build").write_text("--db=postgres\n")
    (home / "data" / "tmp" / "state").write_text("runtime\n")
    return home


@pytest.fixture(scope="module")
def javac_home() -> Path:
    javac = find_javac(Path(os.environ.get("JAVA_HOME", "/nonexistent")))
    return javac.parent.parent


def test_the_student_guard_is_one_of_the_repo_extensions() -> None:
    names = [source.name for source in repo_extensions(find_repo_root())]
    assert "ejournal-student-guard" in names


def test_the_student_guard_builds_for_an_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Against the real Keycloak jars (the cached dist): the extension compiles and registers its factory.
    assert main([str(tmp_path)]) == 0
    jar = tmp_path / "ejournal-student-guard.jar"
    assert str(jar) in capsys.readouterr().out
    with zipfile.ZipFile(jar) as archive:
        assert archive.read(SERVICES_FILE) == b"ru.ejournal.keycloak.StudentGuardUpdatePassword\n"
        assert "ru/ejournal/keycloak/StudentGuardUpdatePassword.class" in archive.namelist()
    assert main([]) == 2


def test_the_digest_follows_sources_and_keycloak_version(tmp_path: Path) -> None:
    source = _extension(tmp_path)
    first = extensions_digest([source], "26.7.3")
    assert extensions_digest([source], "26.7.3") == first
    assert extensions_digest([source], "26.8.0") != first
    _extension(tmp_path, body="return 2;")
    assert extensions_digest([source], "26.7.3") != first


def test_a_jar_is_built_once_per_digest_and_reproducibly(tmp_path: Path, javac_home: Path) -> None:
    source = _extension(tmp_path / "src")
    home = _pristine_home(tmp_path)
    jar = build_extension(source, home, javac_home, tmp_path / "out", "9.9.9")
    assert jar.name == f"demo-guard-{extensions_digest([source], '9.9.9')}.jar"
    with zipfile.ZipFile(jar) as archive:
        names = archive.namelist()
        assert archive.read(SERVICES_FILE) == b"ru.ejournal.demo.Guard\n"
    assert "ru/ejournal/demo/Guard.class" in names and "META-INF/MANIFEST.MF" in names
    built_at = jar.stat().st_mtime_ns
    assert build_extension(source, home, javac_home, tmp_path / "out", "9.9.9") == jar
    assert jar.stat().st_mtime_ns == built_at  # reused, not rebuilt
    again = build_extension(source, home, javac_home, tmp_path / "elsewhere", "9.9.9")
    assert again.read_bytes() == jar.read_bytes()


def test_the_extended_home_is_a_fresh_copy_with_the_jar(tmp_path: Path, javac_home: Path) -> None:
    source = _extension(tmp_path / "src")
    cache = tmp_path / "cache"
    pristine = _pristine_home(cache)
    digest = extensions_digest([source], "9.9.9")
    home = ensure_extended_home(pristine, [source], javac_home, cache, "9.9.9")
    assert home == cache / f"keycloak-9.9.9-{digest}"
    assert [p.name for p in (home / "providers").iterdir()] == [f"demo-guard-{digest}.jar"]
    # Built anew (no marker copied), no runtime state of the shared home; that home is untouched.
    assert not (home / ".ejournal-build").exists() and not (home / "data").exists()
    assert (pristine / ".ejournal-build").exists() and list((pristine / "providers").iterdir()) == []
    assert ensure_extended_home(pristine, [source], javac_home, cache, "9.9.9") == home
    assert ensure_extended_home(pristine, [], javac_home, cache, "9.9.9") == pristine


def test_each_home_has_its_own_class_data_archive(tmp_path: Path) -> None:
    jdk = tmp_path / "jdk"
    plain = cds_archive(tmp_path, jdk, fast_jvm=True)
    assert plain == cds_archive(tmp_path, jdk, fast_jvm=True, variant="")
    one = cds_archive(tmp_path, jdk, fast_jvm=True, variant="keycloak-26.7.3-aaaa")
    other = cds_archive(tmp_path, jdk, fast_jvm=True, variant="keycloak-26.7.3-bbbb")
    assert len({plain, one, other}) == 3
