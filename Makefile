# Thin wrappers: every target is one command, and plain `go test ./...` is
# always enough on its own.
GO      ?= go
BIN     ?= bin/winnow
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/winnow-soc/winnow/internal/app.Version=$(VERSION)

.PHONY: build demo test race lint fuzz bench golden generate

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/winnow

demo: build
	$(BIN) triage --config examples/demo.yaml examples/alerts/*

test:
	$(GO) test -shuffle=on ./...

race:
	$(GO) test -race -shuffle=on ./...

lint:
	$(GO) vet ./... && test -z "$$(gofmt -l .)"

fuzz:
	./scripts/fuzz.sh 10s

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

golden:
	UPDATE_GOLDEN=1 $(GO) test ./...

generate:
	$(GO) generate ./...
