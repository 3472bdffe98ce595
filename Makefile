# One command for every routine. Each target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv installs requirements.lock in seconds where pip takes minutes; pinned, so that
# every machine resolves and installs alike.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
INTO_VENV := --quiet --python $(BIN)/python
# The Debian packages the tests use (the browser, Graphviz, LibreOffice Writer and fonts
# with Vietnamese letters) are listed, and checked, in tests/requirements.py.
NEED := $(BIN)/python -m tests.requirements

.PHONY: install lock system-packages demo test bench lint clean

install: $(STAMP)

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "error: dirtrack needs Python 3.11 or newer with venv (Debian: python3 and" \
			"python3-venv); give another with make PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(UV): | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Exactly the versions (and files, by hash) in requirements.lock, then dirtrack itself;
# then every module compiled to bytecode, as pip does when it installs (uv does not):
# otherwise, where Python may not write it (PYTHONDONTWRITEBYTECODE, a read-only
# install), every command compiles the few hundred modules it imports, a second or more.
$(STAMP): pyproject.toml requirements.lock | $(UV)
	@$(BIN)/python tools/lock.py check
	$(UV) pip install $(INTO_VENV) --require-hashes -r requirements.lock
	$(UV) pip install $(INTO_VENV) --no-deps -e .
	$(BIN)/python -m compileall -q -j 0 dirtrack flows \
		"$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
	touch $(STAMP)

# After a change to the dependencies in pyproject.toml; keeps the other pins.
# To move every package to its newest allowed release: rm requirements.lock; make lock.
lock: | $(UV)
	$(UV) pip compile --quiet --universal --python-version 3.11 --extra dev \
		--generate-hashes --custom-compile-command 'make lock' \
		-o requirements.lock pyproject.toml
	$(BIN)/python tools/lock.py stamp

# Installs what is missing when run as root with apt-get; then one message naming what
# is still missing: in CI (CI set) that stops the run, elsewhere those tests are skipped.
system-packages: $(STAMP)
	@missing="$$($(NEED) debian-packages)"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $$missing from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi; \
	$(NEED) check

demo: $(STAMP)
	$(BIN)/dirtrack demo

test: $(STAMP) system-packages
	$(BIN)/pytest -q -n 2

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.escalation
	$(BIN)/python -m benchmarks.recurring
	$(BIN)/python -m benchmarks.web
	$(BIN)/python -m benchmarks.schema
	$(BIN)/python -m benchmarks.commands
	$(BIN)/python -m benchmarks.pages

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy dirtrack

clean:
	rm -rf $(VENV) .demo .pytest_cache
