# The two Quick start commands: `make demo` and `make test`.
SWIFT ?= swift

.PHONY: setup demo test build lint format

setup:
	@./scripts/setup

build: setup
	$(SWIFT) build --product manifest

demo: build
	$(SWIFT) run --skip-build manifest demo

# The whole suite, the full-size simulation runs included (plain `swift test` skips those).
test: setup
	MANIFEST_SLOW_TESTS=1 $(SWIFT) test

# swift-format, with the repository's .swift-format: `make lint` checks, `make format` rewrites.
lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests bench Package.swift

format:
	$(SWIFT) format --in-place --recursive --parallel Sources Tests bench Package.swift
