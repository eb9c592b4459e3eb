# Tokendesk — two commands on a fresh Debian/Ubuntu machine: `make run` and `make test`.
# Each sets itself up (venv, packages) and is fast when run again.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
IDP := tests/idp
IDP_STAMP := $(IDP)/node_modules/.installed
PEERS := tests/peers
PEERS_STAMP := $(PEERS)/node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the test suite needs: a real Secret Service keychain on a private D-Bus,
# Xvfb for real-window screenshots, fonts so text is not boxes, Node for the identity server,
# zsh and fish to run the completion scripts in.
TEST_DEBS := dbus gnome-keyring libsecret-tools xvfb xauth libxcb-icccm4 libxcb-keysyms1 \
	libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 fonts-dejavu-core zsh fish
RUN_DEBS := libegl1 libgl1 libfontconfig1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
	libxcb-keysyms1 fonts-dejavu-core

.PHONY: run test fuzz lint typecheck unit bench package screenshots clean system-deps-test system-deps-run

run: $(STAMP) system-deps-run
	$(BIN)/tokendesk

test: system-deps-test $(DEV_STAMP) $(IDP_STAMP) $(PEERS_STAMP)
	$(BIN)/ruff check app tests
	$(BIN)/ruff format --check app tests
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Debian packages are installed only when one is missing, so a second run costs one dpkg query.
system-deps-test:
	@missing=$$(for p in $(TEST_DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# Node (>= 20 for oidc-provider 9) usually comes with the machine; Debian's is the fallback.
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }

system-deps-run:
	@command -v dpkg-query >/dev/null || exit 0; \
	missing=$$(for p in $(RUN_DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(DEV_STAMP): pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP) $@

$(IDP_STAMP): $(IDP)/package.json $(IDP)/package-lock.json
	cd $(IDP) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The peers' own tools (postman-collection, newman, @usebruno/lang, @usebruno/cli), pinned: they
# write import fixtures and run them as the oracle for what Tokendesk sends after importing.
$(PEERS_STAMP): $(PEERS)/package.json $(PEERS)/package-lock.json
	cd $(PEERS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Adversarial runs for issue 10: >= 100,000 hypothesis examples per parser (token replies,
# discovery, JWTs, WWW-Authenticate, curl, profile files and imports), then two processes
# writing profiles at once and kill -9 during saves, hundreds of rounds each. Not a gate: long.
fuzz: system-deps-test $(DEV_STAMP)
	TOKENDESK_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100000} $(BIN)/python -m pytest -q --timeout=0 tests/fuzz
	$(BIN)/python -m tests.support.profile_writers writers $${WRITER_ROUNDS:-200}
	$(BIN)/python -m tests.support.profile_writers kills $${KILL_ROUNDS:-300}

# Benchmarks, each beside its baseline in the same run; writes bench/results.json and the README's
# Performance table from it. Not a gate.
bench: $(DEV_STAMP) $(IDP_STAMP) system-deps-test
	$(BIN)/python -m tests.bench.harness
	$(BIN)/python -m tests.bench.readme_table

# A one-folder desktop build with PyInstaller, smoke-run before it is called done (a few minutes,
# so not part of `make test`).
package: $(STAMP) system-deps-run
	packaging/build.sh

# Pictures of the real window (real fonts, real keychain and identity server) for the README.
screenshots: system-deps-test $(DEV_STAMP) $(IDP_STAMP)
	TOKENDESK_SCREENSHOTS_DIR=$(CURDIR)/resources/screenshots $(BIN)/python -m pytest -q tests/gui/test_screenshots.py

clean:
	rm -rf build dist $(VENV) $(IDP)/node_modules $(PEERS)/node_modules .mypy_cache .ruff_cache .pytest_cache
