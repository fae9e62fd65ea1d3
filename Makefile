# ejournal — developer entry points. Everything runs natively on 127.0.0.1; no Docker needed.
#   make up       start the dev stack (PostgreSQL, NATS, Keycloak, services, gateway) and seed a demo college
#   make down     stop every stack profile of this checkout (data kept)
#   make wipe     stop the dev stack and delete its data (PROFILE=test for the test one)
#   make status   what runs, and where PostgreSQL's data is (as root: /var/lib/ejournal/...)
#   make test     lint, then the whole test suite against a fresh `test` stack
SHELL := /bin/bash
VENV := .venv/bin
STACK := $(VENV)/ejournal-stack
# Profile for up/status/wipe; `down` stops all profiles unless PROFILE is given.
PROFILE ?= dev

.PHONY: bootstrap proto up down wipe status lint test bench

bootstrap:
	@scripts/bootstrap.sh

proto:
	uv run --frozen python scripts/gen_proto.py

up: bootstrap
	$(STACK) up --profile $(PROFILE)

# Stops dev and test (a test run killed mid-way may leave its stack behind); without a venv
# there is nothing of ours to stop.
down:
	@if [ -x $(STACK) ]; then \
	  for p in $(if $(filter command line,$(origin PROFILE)),$(PROFILE),dev test); do \
	    $(STACK) down --profile $$p || exit 1; \
	  done; \
	fi

# Without a venv nothing of ours runs; as root the cluster may still sit in /var/lib/ejournal
# (<folder>-<12 hex of sha256 of this checkout's path>/<profile>, see libs/devstack postgres.py).
wipe:
	@if [ -x $(STACK) ]; then $(STACK) wipe --profile $(PROFILE); else \
	  rm -rf .stack/$(PROFILE) /var/lib/ejournal/*-$$(printf %s "$(CURDIR)" | sha256sum | cut -c1-12)/$(PROFILE); fi

status:
	$(STACK) status --profile $(PROFILE)

lint:
	scripts/lint.sh

test: bootstrap lint
	$(VENV)/pytest -q

bench: up
	@if [ -f bench/run.py ]; then $(VENV)/python bench/run.py; \
	else echo "bench/run.py does not exist yet" >&2; exit 1; fi
