# Pishkhan's tasks. `make help` lists them.
SHELL := /bin/bash
GO ?= go
BIN := bin
# web/node_modules holds Go files of its own: name our packages explicitly
PKGS := ./cmd/... ./internal/...
GOLANGCI_VERSION := v2.15.0
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/pishkhan/pishkhan/internal/server.Version=$(VERSION)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/pishkhan (embedding the web app as last built by `make web`)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/pishkhan ./cmd/pishkhan

.PHONY: web
web: ## Build the web app (npm ci when the lock changed, next build) into internal/webui/dist
	./scripts/web.sh

.PHONY: run
run: web build ## Build everything and run Pishkhan on the embedded default (SQLite in ./data) at http://127.0.0.1:8080
	./$(BIN)/pishkhan serve

.PHONY: api
api: ## Regenerate web/openapi.json and the web app's API types after changing a route
	$(GO) run ./cmd/pishkhan openapi > web/openapi.json
	cd web && npx openapi-typescript openapi.json -o src/lib/api/schema.d.ts

.PHONY: test
test: ## Run every check and test against real PostgreSQL, Redis and SQLite (installs what is missing)
	./scripts/test.sh

.PHONY: deploy-check
deploy-check: ## Check the Dockerfile, deploy/compose.yaml, nginx.conf and the Helm chart, offline (installs a pinned helm into bin/)
	./scripts/deploy-check.sh

.PHONY: test-go
test-go: ## Only the Go tests, race detector on (services must be up)
	$(GO) test -race -count=1 $(PKGS)

.PHONY: lint
lint: $(BIN)/golangci-lint ## Run gofmt, go vet and golangci-lint
	@test -z "$$(gofmt -l cmd internal)" || { echo "gofmt needed:"; gofmt -l cmd internal; exit 1; }
	$(GO) vet $(PKGS)
	./$(BIN)/golangci-lint run --allow-serial-runners $(PKGS)

$(BIN)/golangci-lint:
	GOBIN=$(CURDIR)/$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

.PHONY: fuzz
fuzz: ## Fuzz the JSON decoder, query parsing and cursors (FUZZTIME each, default 30s)
	@for f in FuzzDecodeCreate FuzzParseQuery FuzzCursor; do \
		$(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$${FUZZTIME:-30s} ./internal/orders/ || exit 1; \
	done

.PHONY: bench
bench: ## Load-test a seeded server (Postgres + Redis) and write docs/benchmarks.md
	./scripts/bench.sh

.PHONY: chaos
chaos: ## Inject faults into the topology (instance, Redis master, PostgreSQL, worker, full disk) under load; write docs/resilience.md
	./scripts/chaos.sh

.PHONY: migrate
migrate: build ## Apply database migrations (DATABASE_URL, or the embedded SQLite file)
	./$(BIN)/pishkhan migrate

.PHONY: seed
seed: build ## Add demo data: make seed ORDERS=5000
	./$(BIN)/pishkhan seed --orders $${ORDERS:-2000}

.PHONY: clean
clean: ## Remove build output (keeps ./data)
	rm -rf $(BIN)
