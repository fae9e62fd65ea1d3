#!/usr/bin/env bash
# Static checks of the whole repository: formatting, lint, types, import contracts, proto style.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
echo "== ruff check"; $VENV/ruff check .
echo "== ruff format --check"; $VENV/ruff format --check .
echo "== mypy"
$VENV/mypy -p chassis -p devstack -p identity_service -p journal_service -p messaging_service \
  -p reports_service -p archive_service -p gateway
# The in-memory fakes of the unit tests are checked against the application's ports (one file per run:
# the test folders are not packages, so their module names repeat).
for fakes in services/identity/tests/unit/fakes.py services/journal/tests/unit/fakes.py \
  services/messaging/tests/conftest.py services/reports/tests/conftest.py services/archive/tests/conftest.py; do
  $VENV/mypy --no-error-summary --no-warn-unused-configs "$fakes"
done
echo "== import-linter"; $VENV/lint-imports
echo "== buf lint"; $VENV/buf lint
