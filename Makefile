# The two commands of the README: `make demo` and `make test`; and `make bench`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
DEMO_ENV := demo.env,var/demo-secrets.env
HONCHO := PATH="$(BIN):$$PATH" $(BIN)/honcho

.PHONY: venv demo test bench clean

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

clean:
	rm -rf var/test var/broker var/celery-results
