# The two commands the README promises: `make demo` runs the product, `make test` passes the tests.
# Both set up everything they need on a fresh machine (virtualenv, Python packages).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint typecheck pytest contract bench clean sandbox web web-test chromium freeradius

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The portal: npm packages from the lock file, types generated from schema/schema.graphql, then vite.
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web: web/node_modules/.installed
	cd web && npm run --silent build

web-test: web/node_modules/.installed
	cd web && npm run --silent codegen && npm test --silent

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser build).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The AAA adapter's tests run Debian's FreeRADIUS (with its PostgreSQL driver and radclient) on loopback.
FREERADIUS_PACKAGES := freeradius freeradius-postgresql freeradius-utils
freeradius:
	@test -x /usr/sbin/freeradius && test -e /usr/lib/freeradius/rlm_sql_postgresql.so && command -v radclient >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FREERADIUS_PACKAGES) \
	  || { echo "make freeradius: could not install $(FREERADIUS_PACKAGES) with apt-get" >&2; exit 1; }; }
	@# The package starts its own service on 1812/1813 where an init system runs; the tests need none of it.
	@-command -v systemctl >/dev/null && systemctl disable --now freeradius >/dev/null 2>&1 || true

demo: install web
	$(BIN)/wispgate demo --host $(HOST) --port $(PORT)

sandbox: install
	$(BIN)/wispgate sandbox --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install web chromium freeradius
	$(BIN)/pytest -q

test: lint typecheck web-test pytest

contract: install
	$(BIN)/python -m adapters.wispgate.contract

# Benchmarks write their sections of bench/RESULTS.md; run them on an otherwise idle machine.
bench: install
	$(BIN)/python bench/adapter_calls.py --write
	$(BIN)/python bench/decode.py --write
	$(BIN)/python bench/wire.py --write
	$(BIN)/python bench/dashboard.py --write
	$(BIN)/python bench/ratio.py --write
	@command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }
	$(BIN)/python bench/instructions.py --write
	$(BIN)/python bench/webhook_push.py --write
	$(BIN)/python bench/pdf_render.py --write
	$(BIN)/python bench/bounded.py --write
	$(BIN)/python bench/workers.py --write
	$(BIN)/python bench/partial.py --write
	$(BIN)/python bench/resilience.py --write
	$(BIN)/python bench/subscriptions.py --write
	$(BIN)/python bench/trusted.py --write
	$(BIN)/python bench/uploads.py --write
	$(BIN)/python bench/account.py --write
	$(BIN)/python bench/overload.py --write

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
