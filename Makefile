# The two Quick start commands: `make demo` and `make test`.
SWIFT ?= swift

.PHONY: setup demo test build lint format fuzz fuzz-build

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
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests bench fuzz/Sources fuzz/Package.swift Package.swift

format:
	$(SWIFT) format --in-place --recursive --parallel Sources Tests bench fuzz/Sources fuzz/Package.swift Package.swift

# libFuzzer on the fuzz targets (fuzz/, a package of its own: it links only with -sanitize=fuzzer),
# FUZZ_SECONDS each, from and into the committed corpus fuzz/corpus/<target>/; crashes go to
# fuzz/artifacts/. `swift test` replays the corpus (FuzzCorpusTests) without fuzzing.
FUZZ_SECONDS ?= 180
# debug: quicker to build than release, and overflow checks and assertions stay on.
FUZZ_CONFIG ?= debug
FUZZ_TARGETS ?= json:FuzzJSON http-fields:FuzzHTTPFields edge-request:FuzzEdgeRequest

fuzz-build:
	$(SWIFT) build --package-path fuzz -c $(FUZZ_CONFIG) -Xswiftc -sanitize=fuzzer

fuzz: fuzz-build
	@mkdir -p fuzz/artifacts
	@for pair in $(FUZZ_TARGETS); do \
		corpus=$${pair%%:*}; binary=$${pair##*:}; \
		echo "== $$binary ($$corpus) for $(FUZZ_SECONDS) s"; \
		SWIFT_BACKTRACE=enable=no fuzz/.build/$(FUZZ_CONFIG)/$$binary fuzz/corpus/$$corpus -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-timeout=30 -artifact_prefix=fuzz/artifacts/$$corpus- -print_final_stats=1 2>&1 | \
			grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|.*(Fatal error|Precondition failed|SUMMARY))" || true; \
		ls fuzz/artifacts/$$corpus-* >/dev/null 2>&1 && { echo "$$binary found a crash: fuzz/artifacts/"; exit 1; } || true; \
	done
