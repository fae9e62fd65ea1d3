"""Generate the Python contracts package from proto/ into libs/contracts/src.

Run by `make proto` (and by `make up` / `make test` through scripts/bootstrap.sh).
The output is not committed: proto/ is the single source of truth.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO = ROOT / "proto"
OUT = ROOT / "libs" / "contracts" / "src"
PACKAGE = OUT / "ejournal"


def main() -> int:
    """Regenerate every stub; exit non-zero when protoc fails."""
    for child in PACKAGE.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
    files = sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))
    include = Path(grpc_tools.__file__).parent / "_proto"
    bindir = Path(sys.executable).parent
    args = [
        "grpc_tools.protoc",
        f"--plugin=protoc-gen-mypy={bindir / 'protoc-gen-mypy'}",
        f"--plugin=protoc-gen-mypy_grpc={bindir / 'protoc-gen-mypy_grpc'}",
        f"-I{PROTO}",
        f"-I{include}",
        f"--python_out={OUT}",
        f"--grpc_python_out={OUT}",
        f"--mypy_out=quiet:{OUT}",
        f"--mypy_grpc_out=quiet:{OUT}",
        *files,
    ]
    code = protoc.main(args)
    if code != 0:
        print("protoc failed", file=sys.stderr)
        return int(code)
    for directory in PACKAGE.rglob("*"):
        if directory.is_dir():
            (directory / "__init__.py").touch()
            (directory / "py.typed").touch()
    print(f"generated {len(files)} proto files into {PACKAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
