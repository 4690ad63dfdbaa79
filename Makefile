# Developer commands for the raindrop exporter and the otelcol-raindrop distribution.
# `make help` lists them.

GO ?= go
BUILDER_VERSION := v0.165.0
BIN_DIR := $(CURDIR)/bin
BUILDER := $(BIN_DIR)/builder
DIST := $(CURDIR)/_build/otelcol-raindrop
CONFIG ?= config/collector.yaml
OTLP_HTTP ?= http://localhost:4318/v1/traces
SAMPLES ?= testdata/sample/*.json
# The end-to-end test builds the distribution, which takes minutes on a cold cache;
# go test's default 10-minute limit is too tight for that on two cores.
TEST_TIMEOUT ?= 30m

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk -F ':.*## ' '/^[a-z-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The builder is installed per repository, at the version matching the collector
# release, so it cannot drift with whatever `builder` is on the PATH.
$(BUILDER):
	GOBIN=$(BIN_DIR) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(BUILDER_VERSION)

.PHONY: build
build: $(BUILDER) ## Build the collector distribution into _build/otelcol-raindrop
	@$(BUILDER) version 2>&1 | grep -q '$(BUILDER_VERSION)' || { \
		echo "bin/builder is not $(BUILDER_VERSION); remove it and run make build again"; \
		exit 1; }
	$(BUILDER) --config=builder-config.yaml --skip-strict-versioning=false

# Without a write key the exporter would fail validation; dry-run mode lets a
# newcomer see the events without a Raindrop account.
.PHONY: run
run: build ## Run the distribution with config/collector.yaml (dry run without RAINDROP_WRITE_KEY)
	@if [ -z "$$RAINDROP_WRITE_KEY" ]; then \
		echo "RAINDROP_WRITE_KEY is not set: dry run, events are printed instead of sent"; \
		exec $(DIST) --config=$(CONFIG) --set=exporters::raindrop::dry_run=true; \
	else \
		exec $(DIST) --config=$(CONFIG); \
	fi

.PHONY: send-sample
send-sample: ## Send the sample traces to a running collector (see make run)
	$(GO) run ./cmd/sendspans -fresh -endpoint $(OTLP_HTTP) $(SAMPLES)

.PHONY: test
test: vet ## Run every test, including the end-to-end test (builds the distribution)
	$(GO) test -race -timeout $(TEST_TIMEOUT) ./...

.PHONY: test-unit
test-unit: ## Run the tests without the end-to-end test
	$(GO) test -race -short ./...

.PHONY: perf
perf: ## Compare CPU, memory and throughput with the otlp_http exporter (not part of make test)
	scripts/perf.sh $(PERF_ARGS)

.PHONY: load
load: ## Send 2 KB-prompt interactions to a running collector (LOAD_ARGS="-rate 1000 -duration 30s")
	$(GO) run ./cmd/loadgen -endpoint $(OTLP_HTTP) $(LOAD_ARGS)

.PHONY: vet
vet: ## Run go vet and check formatting
	$(GO) vet ./...
	@unformatted=$$(find . -name '*.go' -not -path './_build/*' -not -path '*/node_modules/*' \
		-exec gofmt -l {} +); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

.PHONY: lint
lint: vet ## vet, then staticcheck (pinned, fetched from the Go module proxy)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# mdatagen names the generated package after the folder it runs in, so it runs
# through a symlink named after the package: the clone's folder name then does not
# matter (a clone in ./main would otherwise get `package main` tests).
PACKAGE := raindropexporter
GENERATED := documentation.md generated_component_test.go generated_package_test.go \
	internal/metadata internal/metadatatest

.PHONY: generate
generate: ## Regenerate internal/metadata and documentation.md from metadata.yaml
	@tmp=$$(mktemp -d) && ln -s "$(CURDIR)" "$$tmp/$(PACKAGE)" && \
	(cd "$$tmp/$(PACKAGE)" && $(GO) tool -modfile=internal/tools/go.mod mdatagen metadata.yaml); \
	rc=$$?; rm -f "$$tmp/$(PACKAGE)"; rmdir "$$tmp"; exit $$rc

.PHONY: check-generated
check-generated: generate ## Fail if the generated files differ from what metadata.yaml gives
	@git diff --exit-code --stat -- $(GENERATED) || { \
		echo "generated files are stale: run make generate and commit the result"; exit 1; }

.PHONY: clean
clean: ## Remove the build output and the installed builder
	rm -rf _build bin
