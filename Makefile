# The two commands of the README: `make demo` and `make test`; and `make bench`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
AXE := tests/browser/node_modules/axe-core/axe.min.js
DEMO_ENV := demo.env,var/demo-secrets.env
HONCHO := PATH="$(BIN):$$PATH" $(BIN)/honcho

.PHONY: venv demo test test-at screenshots bench clean lock image-test coverage mutation

# Re-installs whenever pyproject.toml or the lock changes, so `make test` also updates the
# venv. The lock constrains every package the image installs to its exact version, so the
# tests run what the image runs; the test tools themselves follow pyproject.toml. Its
# versions go in without the hashes: hashes in a constraints file make pip demand one for
# the editable project too, which has none.
CONSTRAINTS := var/requirements-constraints.txt
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	mkdir -p var
	sed -n 's/^\([A-Za-z0-9._-]*==[^ ]*\).*/\1/p' requirements.lock > $(CONSTRAINTS)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev,test]'
	touch $(STAMP)

# requirements.lock: the exact versions, with hashes, of what the image installs (the runtime
# dependencies and the sandbox extra). pip-tools runs from a venv of its own, not .venv.
# Keeps the current pins; `make lock LOCK_ARGS=--upgrade` (or --upgrade-package NAME) moves them.
PIP_TOOLS := var/pip-tools/bin
LOCK_ARGS ?=
lock:
	test -x $(PIP_TOOLS)/pip-compile || { $(PYTHON) -m venv var/pip-tools && \
		$(PIP_TOOLS)/python -m pip install --quiet pip-tools; }
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_TOOLS)/pip-compile --quiet --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra sandbox $(LOCK_ARGS) -o requirements.lock pyproject.toml

venv: $(STAMP) $(AXE)

# axe-core, which the browser tests inject for their accessibility checks (tests/browser/
# axe.py). Without npm they skip those checks, saying so; under CI=true they fail instead.
$(AXE): tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility checks will skip (apt-get install npm)"; fi

# Secrets the demo needs, made once per checkout and never committed.
var/demo-secrets.env: | $(STAMP)
	mkdir -p var
	$(BIN)/python -c "import secrets; from cryptography.fernet import Fernet; \
	print('SECRET_KEY=' + secrets.token_urlsafe(48)); \
	print('TOKEN_ENCRYPTION_KEYS=' + Fernet.generate_key().decode())" > $@

demo: $(STAMP) var/demo-secrets.env
	$(HONCHO) -e $(DEMO_ENV) run python manage.py migrate --noinput
	@echo
	@echo "  Open http://127.0.0.1:8000 and click 'Sign in with Calendly'."
	@echo "  The sandbox stands in for Calendly: pick a seeded user, e.g. admin@acme.example"
	@echo "  (an admin: sees the team) or ana@acme.example (a member), then Allow."
	@echo "  Ctrl-C stops everything."
	@echo
	$(HONCHO) -f Procfile -e $(DEMO_ENV) start

# The benchmarks' own packages (the `bench` extra), on top of the test install.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,test,bench]'
	touch $(BENCH_STAMP)

# Performance figures of issue #9 (docs/performance.md); about 6 minutes on 2 cores.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

test: $(STAMP) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/pytest

# The image and the compose stack as a self-hoster runs them (tests/deploy/test_image.py):
# sets up Docker with ../shared/tools/containers where no daemon answers, builds once, brings
# the stack up in production mode and with the demo profile. About 5 minutes; skips, saying
# why, where no Docker daemon can start.
image-test: $(STAMP)
	RUN_IMAGE_TEST=1 $(BIN)/pytest tests/deploy/test_image.py -p no:cacheprovider -ra

# The tests a moved clock can change, with every process's clock started at AT (UTC,
# "YYYY-MM-DD HH:MM:SS") and running on from there: Debian's libfaketime (apt-get install
# faketime) is preloaded into pytest and so into all it starts, the sandbox, Celery workers,
# the live server and Chromium. The clock moves by one offset (AT minus now, in seconds),
# which every child applies alike, so all processes agree without sharing a start time.
# tests/faketime/clockwait.c, preloaded before it, mends the timed waits libfaketime 0.9.10
# leaves on the moved monotonic clock (Python's lock, event and future timeouts).
# .ci/run runs it at each instant of .ci/instants.py.
LIBFAKETIME ?= $(firstword $(wildcard /usr/lib/*/faketime/libfaketime.so.1))
CLOCKWAIT := var/faketime/libclockwait.so
$(CLOCKWAIT): tests/faketime/clockwait.c
	mkdir -p $(dir $@)
	cc -O2 -shared -fPIC -o $@ $< -ldl

# What a clock can change: pages (the views' other tests freeze their own clock), syncs
# and their retries, webhooks, sessions and per-minute limits, token expiry, the sandbox's
# data of "today", the browser.
CLOCK_TESTS ?= tests/views/test_any_instant.py tests/browser tests/availability/test_sync_live.py \
	tests/availability/test_sync_retries.py tests/availability/test_windows_and_locks.py \
	tests/webhooks/test_end_to_end.py tests/webhooks/test_receiver.py \
	tests/webhooks/test_live_updates.py tests/webhooks/test_targeted.py \
	tests/hardening/test_brute_force.py tests/hardening/test_csrf_sessions.py \
	tests/accounts/test_refresh.py tests/sandbox/test_seed.py tests/sandbox/test_availability.py
# The named instants of tests/views/test_any_instant.py run in every `make test`; here only
# its case of the process's own (moved) clock.
CLOCK_SELECT ?= not test_any_instant or process-clock
test-at: $(STAMP) $(CLOCKWAIT) $(AXE)
	@test -n "$(AT)" || { echo 'Say when: make test-at AT="2026-12-05 03:00:00"'; exit 2; }
	@test -n "$(LIBFAKETIME)" || { echo "libfaketime not found: apt-get install faketime"; exit 2; }
	TZ=UTC LD_PRELOAD="$(abspath $(CLOCKWAIT)) $(LIBFAKETIME)" FAKETIME="$$($(BIN)/python -c \
		'import sys, time, datetime as d; at = d.datetime.fromisoformat(sys.argv[1] + "+00:00"); \
		print(f"{at.timestamp() - time.time():+.0f}")' "$(AT)")" \
		$(BIN)/pytest $(CLOCK_TESTS) -k "$(CLOCK_SELECT)"

# The browser tests' screenshots at the next Saturday 03:00 UTC and Wednesday 15:00 in
# Berlin, under var/screenshots/<instant>/ (docs/screenshots.md).
screenshots: $(STAMP) $(AXE)
	$(PYTHON) .ci/instants.py saturday-0300-utc wednesday-1500-berlin | \
	while IFS="$$(printf '\t')" read -r name when; do \
		SCREENSHOT_DIR=var/screenshots/$$name $(MAKE) test-at AT="$$when" \
			CLOCK_TESTS=tests/browser/test_calendar_browser.py CLOCK_SELECT= || exit 1; \
	done

# Line and branch coverage of the product code in every process the tests start (the
# sandbox, manage.py commands, Celery workers, which then run a solo pool), as configured
# in pyproject's [tool.coverage.*]; an HTML report in var/coverage/html (docs/testing.md).
coverage: $(STAMP) $(AXE)
	rm -rf var/coverage
	$(BIN)/coverage run -m pytest $(COVERAGE_ARGS)
	$(BIN)/coverage combine -q
	$(BIN)/coverage html -q -d var/coverage/html
	$(BIN)/coverage json -q -o var/coverage/coverage.json
	$(BIN)/python -m tests.coverage_totals var/coverage/coverage.json

# mutmut on the arithmetic and the parse layer against their fast tests, one worker
# ([tool.mutmut] in pyproject); mutants and results in mutants/, a score per module.
mutation: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children 1
	$(BIN)/python -m tests.mutation_scores

clean:
	rm -rf var/test var/broker var/celery-results
