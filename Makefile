# The two Quick start commands: `make demo` and `make test`.
SWIFT ?= swift

.PHONY: setup demo test build

setup:
	@./scripts/setup

build: setup
	$(SWIFT) build --product manifest

demo: build
	$(SWIFT) run --skip-build manifest demo

test: setup
	$(SWIFT) test
