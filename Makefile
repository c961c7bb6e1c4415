# cldsync. Tools are pinned in go.mod's tool block and run with `go tool`,
# so a clean clone needs nothing but Go.
GO ?= go
PKGS := ./...
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build test check fmt fmtcheck vet staticcheck tidycheck gencheck unit demo bench fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/cldsync ./cmd/cldsync

## test: every check CI runs. Fails on unformatted code, vet, staticcheck,
## an untidy go.mod, stale generated code, or a failing (race-enabled) test.
test: fmtcheck vet staticcheck tidycheck gencheck unit

fmt:
	gofmt -w $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')

fmtcheck:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

tidycheck:
	$(GO) mod tidy -diff

gencheck:
	@tmp=$$(mktemp -d); cp pkg/emulator/operations_gen.go $$tmp/; \
	$(GO) generate ./pkg/emulator/ && cmp -s $$tmp/operations_gen.go pkg/emulator/operations_gen.go \
	|| { echo "go generate changed pkg/emulator/operations_gen.go: commit the regenerated file"; exit 1; }

unit:
	$(GO) test -race -timeout 8m $(PKGS)

## demo: the whole job against the embedded emulator.
demo: build
	./scripts/demo.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

fuzz:
	@echo "no fuzz targets yet"

clean:
	rm -rf bin
