SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The generator's ruff post-hooks and the console scripts must come from the pinned venv.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

SPEC := openapi.yaml
# `make docs` output: build/ is git-ignored, because the page is a pure function of $(SPEC) and the
# pinned Redocly CLI (rebuilt in a second, and a committed 2.5 MB copy could silently go stale).
DOCS_DIR ?= build/docs
GEN_CONFIG := openapi-python-client.yaml
GEN_PACKAGE := generated/papi_repay_client
PORT ?= 8000
ACCOUNTS ?= papi_sandbox/demo_accounts.yaml

STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# Runs a tool without the warnings it is known to print (each listed there with its reason).
KNOWN_WARNINGS = $(PYTHON) tools/known_warnings.py

.PHONY: help install generate check-generated lint lint-spec docs sandbox-spec test test-only reconcile-proof mutants demo sandbox bench contract audit clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}' \
		| sed -e 's|$$(DOCS_DIR)|$(DOCS_DIR)|g' -e 's|$$(PORT)|$(PORT)|g' \
			-e 's|$$(ACCOUNTS)|$(ACCOUNTS)|g' -e 's|$$(COVERAGE_FLOOR)|$(COVERAGE_FLOOR)|g'

$(STAMP): requirements.lock pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(KNOWN_WARNINGS) pip -- $(BIN)/python -m pip install --quiet --require-hashes --no-deps \
		-r requirements.lock
	$(KNOWN_WARNINGS) pip -- $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) ## Create .venv from the lock file and install the project into it

generate: $(STAMP) ## Regenerate generated/ from openapi.yaml (fails on a generator warning not known to tools/known_warnings.py)
	$(KNOWN_WARNINGS) generator -- $(BIN)/openapi-python-client generate --path $(SPEC) \
		--config $(GEN_CONFIG) --meta none --output-path $(GEN_PACKAGE) --overwrite

check-generated: $(STAMP) ## Fail if regenerating from openapi.yaml changes a byte of generated/
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(KNOWN_WARNINGS) generator -- $(BIN)/openapi-python-client generate --path $(SPEC) \
		--config $(GEN_CONFIG) --meta none --output-path "$$tmp/papi_repay_client" \
		| { grep -v '^Generating ' || true; }; \
	find $(GEN_PACKAGE) -name __pycache__ -prune -o -type f -print | sed 's|^$(GEN_PACKAGE)/||' | sort > "$$tmp/committed.txt"; \
	(cd "$$tmp/papi_repay_client" && find . -type f | sed 's|^\./||' | sort) > "$$tmp/fresh.txt"; \
	if ! diff -u "$$tmp/fresh.txt" "$$tmp/committed.txt" \
		|| ! diff -r -x __pycache__ "$$tmp/papi_repay_client" $(GEN_PACKAGE); then \
		echo "generated/ differs from what openapi.yaml generates: run 'make generate' (never edit generated/ by hand)" >&2; \
		exit 1; \
	fi; \
	echo "generated/ matches $(SPEC)"

lint-spec: $(STAMP) $(NODE_STAMP) ## Validate and lint openapi.yaml
	$(BIN)/openapi-spec-validator $(SPEC)
	$(KNOWN_WARNINGS) redocly -- node_modules/.bin/redocly lint $(SPEC)

lint: lint-spec ## Spec + ruff + mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# An empty 1x1 SVG: what the page shows in place of Redocly's attribution logo.
BLANK_SVG := data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22%20width=%221%22%20height=%221%22/%3E

docs: $(STAMP) $(NODE_STAMP) ## Render openapi.yaml, its provenance folded into the text, to one static HTML page, $(DOCS_DIR)/index.html (no network to build or view)
	@mkdir -p $(DOCS_DIR)
	@# Redoc shows no vendor extension beside a response's examples: fold each code's source and
	@# outcome, each rule's source and the table of sources into the prose it shows.
	$(BIN)/python docs/fold_provenance.py $(SPEC) $(DOCS_DIR)/openapi.page.yaml
	node_modules/.bin/redocly build-docs $(DOCS_DIR)/openapi.page.yaml --inlineBundle \
		--output $(DOCS_DIR)/index.html --title "Binance Portfolio Margin - Margin Account Repay"
	@# The only thing the page would fetch is Redocly's attribution logo from its CDN: put an
	@# empty inline image in its place (an empty src would show a broken-image icon).
	sed -i -e 's#https://cdn\.redoc\.ly/redoc/logo-mini\(-full\)\{0,1\}\.svg#$(BLANK_SVG)#g' $(DOCS_DIR)/index.html

test: lint check-generated test-only ## Everything CI runs: lint, regeneration check, all tests

# The floor is a few points under the last measure (branches included): a drop fails CI.
COVERAGE_FLOOR ?= 93

test-only: $(STAMP) ## Run the test suite with branch coverage of auth_plugin and the sandbox (fails under $(COVERAGE_FLOOR) %)
	$(BIN)/pytest -q --cov=auth_plugin --cov=papi_sandbox --cov-branch \
		--cov-report=term-missing:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

reconcile-proof: $(STAMP) ## The reconciliation property tests with many examples (RECONCILE_EXAMPLES, default 2000; RECONCILE_SEED repeats a run)
	RECONCILE_EXAMPLES=$${RECONCILE_EXAMPLES:-2000} $(BIN)/pytest -q -p no:cacheprovider \
		--hypothesis-show-statistics \
		tests/safety/test_reconcile_property.py

sandbox-spec: $(STAMP) ## Write the sandbox's contract (openapi.yaml + overlays/sandbox.overlay.yaml, applied by oas-patch) to build/sandbox-openapi.yaml
	@mkdir -p build
	$(BIN)/oas-patch overlay $(SPEC) overlays/sandbox.overlay.yaml -o build/sandbox-openapi.yaml

contract: $(STAMP) ## schemathesis CLI run against a sandbox it starts, on the sandbox's contract (positive-data check on)
	$(BIN)/python -m tests.contract.run_cli

mutants: $(STAMP) ## Apply each deliberate bug of tests/mutants.py; the safety tests, then the proof alone, must fail on every one
	$(BIN)/python -m tests.mutants
	$(BIN)/python -m tests.mutants --proof

demo: $(STAMP) ## Start a sandbox, seed a loan, repay it through the generated client, print it
	$(BIN)/python demo/repay_demo.py

sandbox: $(STAMP) ## Run the sandbox on 127.0.0.1:$(PORT) with $(ACCOUNTS)
	$(BIN)/python -m papi_sandbox --host 127.0.0.1 --port $(PORT) --accounts $(ACCOUNTS)

bench: $(STAMP) ## Benchmarks (about 3 minutes), under 5 on a busy 2-core machine: client overhead, start-up, async, sandbox, loan lifecycle; writes benchmarks/latest.md and latest.json (pyperf)
	$(BIN)/python -m benchmarks

# Known advisories for what the locks pin; outside `make test` because it needs the network.
# pip-audit is not in requirements.lock: it is a tool run on the lock, not part of what the lock
# installs, and pinning its own dependency tree there would add that tree to what is audited and
# installed everywhere. It goes into a throwaway venv, removed afterwards (never into .venv).
# A pinned package pip-audit could not look up fails the run too: pip-audit itself exits 0 and
# says "No known vulnerabilities found" about packages it never checked (its --strict stops at
# the first one; this lists them all). Both checks run; either failing fails the target.
# PIP_AUDIT_SERVICE=osv asks OSV instead of PyPI's JSON API.
PIP_AUDIT_VERSION ?= 2.10.1
PIP_AUDIT_SERVICE ?= pypi

audit: ## Known advisories: pip-audit on requirements.lock, npm audit on package-lock.json (network)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; status=0; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet "pip-audit==$(PIP_AUDIT_VERSION)"; \
	echo "== pip-audit ($(PIP_AUDIT_SERVICE)) on requirements.lock"; \
	"$$tmp/venv/bin/pip-audit" --requirement requirements.lock --require-hashes --disable-pip \
		--vulnerability-service $(PIP_AUDIT_SERVICE) --progress-spinner off \
		> "$$tmp/pip-audit.txt" 2>&1 || status=1; \
	cat "$$tmp/pip-audit.txt"; \
	pinned=$$(grep -c '^[A-Za-z0-9._-]*==' requirements.lock); \
	unchecked=$$(grep -c 'could not be audited' "$$tmp/pip-audit.txt" || true); \
	if [ "$$unchecked" -gt 0 ]; then \
		echo "pip-audit: $$unchecked of $$pinned pinned packages could not be looked up: not checked"; \
		status=1; \
	fi; \
	echo "== npm audit on package-lock.json"; \
	npm audit --package-lock-only --audit-level=low || status=1; \
	exit $$status

clean: ## Remove the environment and caches
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .mypy_cache .hypothesis .schemathesis .coverage
