# The two commands of the README: `make demo` and `make test`; and `make bench`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
DEMO_ENV := demo.env,var/demo-secrets.env
HONCHO := PATH="$(BIN):$$PATH" $(BIN)/honcho

.PHONY: venv demo test test-at screenshots bench clean

# Re-installs whenever pyproject.toml changes, so `make test` also updates the venv.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

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
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# Performance figures of issue #9 (docs/performance.md); about 6 minutes on 2 cores.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

# The tests a moved clock can change, with every process's clock started at AT (UTC,
# "YYYY-MM-DD HH:MM:SS") and running on from there: libfaketime is preloaded into pytest and
# so into all it starts, the sandbox, Celery workers, the live server and Chromium. Children
# go on from their parent's time (FAKETIME_DONT_RESET), and the monotonic clock stays real:
# timed waits on locks and events (thread pools, Celery) are measured on it by the kernel,
# and with it faked they never time out. The library is the build the `libfaketime` test
# package ships: Debian 12's (0.9.10) fails every time.sleep once monotonic time is real.
# .ci/run runs it at each instant of .ci/instants.py.
LIBFAKETIME = $(shell $(BIN)/python -c "import libfaketime as f, pathlib; \
	print(pathlib.Path(f.__file__).parent / 'vendor/libfaketime/src/libfaketime.so.1')" 2>/dev/null)
CLOCK_TESTS ?= tests/views tests/browser tests/webhooks tests/availability/test_sync_live.py \
	tests/availability/test_sync_workers.py tests/availability/test_sync_retries.py \
	tests/availability/test_windows_and_locks.py tests/accounts/test_refresh.py \
	tests/hardening/test_calendly_faults.py tests/hardening/test_isolation.py \
	tests/sandbox/test_availability.py tests/sandbox/test_seed.py
# The named instants of tests/views/test_any_instant.py run in every `make test`; here only
# its case of the process's own (moved) clock.
CLOCK_SELECT ?= not test_any_instant or process-clock
test-at: $(STAMP)
	@test -n "$(AT)" || { echo 'Say when: make test-at AT="2026-12-05 03:00:00"'; exit 2; }
	@test -f "$(LIBFAKETIME)" || { echo "libfaketime not found: make venv installs it"; exit 2; }
	TZ=UTC LD_PRELOAD=$(LIBFAKETIME) FAKETIME="@$(AT)" FAKETIME_DONT_RESET=1 DONT_FAKE_MONOTONIC=1 \
		$(BIN)/pytest $(CLOCK_TESTS) -k "$(CLOCK_SELECT)"

# The browser tests' screenshots at the next Saturday 03:00 UTC and Wednesday 15:00 in
# Berlin, under var/screenshots/<instant>/ (docs/screenshots.md).
screenshots: $(STAMP)
	$(PYTHON) .ci/instants.py saturday-0300-utc wednesday-1500-berlin | \
	while IFS="$$(printf '\t')" read -r name when; do \
		SCREENSHOT_DIR=var/screenshots/$$name $(MAKE) test-at AT="$$when" \
			CLOCK_TESTS=tests/browser/test_calendar_browser.py CLOCK_SELECT= || exit 1; \
	done

clean:
	rm -rf var/test var/broker var/celery-results
