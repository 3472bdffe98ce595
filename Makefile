# One command for every routine. Each target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the tests use: the browser for the web tests, Graphviz to check DOT.
SYSTEM_PACKAGES := chromium graphviz

.PHONY: install system-packages demo test bench lint clean

install: $(STAMP)

system-packages:
	@if command -v chromium >/dev/null && command -v dot >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(SYSTEM_PACKAGES) from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	else \
		echo "please install: $(SYSTEM_PACKAGES) (the browser and Graphviz tests need them)" >&2; \
	fi

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dirtrack demo

test: $(STAMP) system-packages
	$(BIN)/pytest -q -n 2

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.escalation
	$(BIN)/python -m benchmarks.web
	$(BIN)/python -m benchmarks.commands

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy dirtrack

clean:
	rm -rf $(VENV) .demo .pytest_cache
