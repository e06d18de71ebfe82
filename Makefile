# swd — see README.md. `make demo` and `make test` are the two entry points.
GO      ?= go
BIN     := bin/swd
DEMO    := demo-out
PKGS    := ./...

.PHONY: all build demo screenshots test quality vet fmt-check lint testrace testshort testpurego fuzz bench bench-ci benchstat clean build-beam test-beam lint-beam

all: build

build:
	$(GO) build -o $(BIN) ./cmd/swd

## build-beam: swd-beam, the Apache Beam runner of link and publish (its own
## module in cmd/swd-beam: a large build, kept out of swd's)
build-beam:
	cd cmd/swd-beam && $(GO) build -o ../../bin/swd-beam .

## test-beam: vet, gofmt and the tests of the swd-beam module (Prism runs in
## process); .ci/run runs it after make test. lint-beam (staticcheck) is
## left out of CI: on a cold cache it analyses all of Beam (~5 min on 2 cores)
test-beam:
	cd cmd/swd-beam && $(GO) vet ./...
	@out=$$(cd cmd/swd-beam && gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	cd cmd/swd-beam && $(GO) test -count=1 -timeout 20m ./...

lint-beam:
	cd cmd/swd-beam && $(GO) tool staticcheck ./...

## demo: run the whole pipeline on built-in synthetic data and print where the results are
demo: build
	@./scripts/demo.sh $(BIN) $(DEMO)

## screenshots: the demo's DP report and linkage report rendered by headless
## Chromium into docs/img/ (scripts/screenshots.sh; needs Chromium)
screenshots: demo
	@./scripts/screenshots.sh $(DEMO) docs/img

## test: vet, gofmt, lint, the tests with the race detector, the pure-Go
## kernel tests and a short kernel benchmark (what CI runs)
test: vet fmt-check lint testrace testpurego bench-ci

## quality: the linkage-quality figures of the README, on the public data
## sets in ../shared/datasets (skipped cleanly when absent): the
## dataset-backed tests of the statistical core and of blocking, then the
## whole pipeline through the binary (scripts/quality.sh), which prints one
## line per README row. A few minutes on two cores; not part of make test.
quality: build
	SWD_QUALITY=1 SWD_LONG_TESTS=1 $(GO) test -count=1 -timeout 30m -v -run 'Quality|Blocking' ./linkage/eval ./bench
	./scripts/quality.sh $(BIN)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

lint:
	$(GO) tool staticcheck $(PKGS)

testrace:
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

testshort:
	$(GO) test -short -count=1 $(PKGS)

testpurego:
	$(GO) test -tags purego -count=1 ./internal/bitvec/... ./internal/aesbatch/... ./linkage/match/... ./linkage/encoding/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDice -fuzztime 100000x ./internal/bitvec

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/bitvec/... ./linkage/...
	$(GO) run ./bench/dice -n 10000 -m 10000 -threshold 0.8 -workers 1

## bench-ci: the kernel against the C reference loop, short, one JSON line per run
bench-ci:
	$(GO) run ./bench/dice -n 4000 -m 4000 -threshold 0.8 -workers 1 -json
	$(GO) run ./bench/dice -n 10000 -m 10000 -threshold 0.8 -workers 2 -c=false -slices 1 -repeats 3 -json
	$(GO) run ./bench/encode -n 100000 -workers 2 -repeats 3 -json

benchstat:
	$(GO) test -run '^$$' -bench . -count 10 ./internal/bitvec > bench-new.txt
	$(GO) run golang.org/x/perf/cmd/benchstat@latest bench-new.txt

clean:
	rm -rf bin $(DEMO)
