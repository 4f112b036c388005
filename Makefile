# annex: the two commands a new machine needs are `make run` and `make test`.
GO       ?= go
BIN      := bin/annex
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
export CGO_ENABLED := 0

.PHONY: all build run test test-postgres unit e2e bench fuzz fuzz-short lint fmt demo clean

all: build

## build: compile the annex binary into bin/ (pure Go, no cgo)
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/annex

## run: build and open the workbench on the default workspace ($$ANNEX_DB or ~/.local/share/annex/workspace.db)
run: build
	./$(BIN)

## test: everything: vet, gofmt check, a cgo-free build, unit, store, TUI and end-to-end tests (needs tmux),
## the store and audit-pack suites again on PostgreSQL, and every fuzz target for a few seconds.
## PostgreSQL tests need $$ANNEX_TEST_POSTGRES: `.ci/with-postgres make test` starts a throwaway server.
test: lint
	$(GO) build ./...
	$(GO) test -count=1 -timeout 30m ./...
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory fuzz-short

# The suites that open workspaces through pgtest.Workspace, on PostgreSQL (docs/ARCHITECTURE.md, "Backends").
PG_SUITES := ./store/... ./auditpack/

## test-postgres: the store and audit-pack suites on PostgreSQL ($$ANNEX_TEST_POSTGRES; required under CI=true)
test-postgres:
	@if [ -z "$$ANNEX_TEST_POSTGRES" ]; then \
	  if [ "$$CI" = "true" ]; then echo "ANNEX_TEST_POSTGRES is not set: CI must run the PostgreSQL suites (.ci/with-postgres)"; exit 1; fi; \
	  echo "PostgreSQL suites skipped: no server (run '.ci/with-postgres make test')"; \
	else \
	  ANNEX_TEST_BACKEND=postgres $(GO) test -count=1 -timeout 20m $(PG_SUITES); \
	fi

## unit: the tests without the tmux end-to-end journeys
unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /e2e)

## e2e: only the end-to-end journeys on the real binary in tmux
e2e:
	$(GO) test -count=1 -timeout 20m ./e2e/

## bench: the hot-path benchmarks (numbers go into docs/BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The fuzz targets: package and target, one per parser of outside input (docs/RELIABILITY.md).
FUZZ_TARGETS := ./catalogs:FuzzParseCustom ./auditpack:FuzzParseDocument ./auditpack:FuzzPack \
	./assessments:FuzzDates ./assessments:FuzzEvidenceRefs ./store:FuzzOpenFile \
	./auditpack:FuzzParseHistory ./auditpack:FuzzParseTrustedKeys
FUZZTIME  ?= 10m
FUZZSHORT ?= 5s

## fuzz: run every fuzz target for FUZZTIME each (default 10m); crashers land in the package's testdata/fuzz
fuzz:
	@FUZZTIME=$(FUZZTIME) GO=$(GO) .ci/fuzz $(FUZZ_TARGETS)

## fuzz-short: every fuzz target for FUZZSHORT each (CI; the seeds and crashers also run in plain go test)
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZSHORT)

## lint: gofmt and go vet must be clean
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## demo: build and add the demo engagement to the default workspace
demo: build
	./$(BIN) demo

clean:
	rm -rf bin
