# Thin wrapper over CMake.  `make demo` and `make test` are the README's two
# commands; both install missing Debian packages first (.ci/install-deps).
B        ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE    ?= cmake
FUZZTIME ?= 8
FUZZSEED ?= 1

.PHONY: all deps build test unit fuzz-smoke fuzz bench demo clean install

all: build

deps:
	@./.ci/install-deps

build: deps
	@$(CMAKE) -S . -B $(B)/release -DCMAKE_BUILD_TYPE=Release -DMD_TESTS=OFF >/dev/null
	@$(CMAKE) --build $(B)/release -j$(JOBS)

# Every test, under AddressSanitizer + UndefinedBehaviorSanitizer; the
# Release build as packagers make it (cmake -DCMAKE_BUILD_TYPE=Release, the
# tests included: -O3 with -Werror) and the end-to-end tests again on it
# (its front is linked statically, as users get it); then each libFuzzer
# harness for FUZZTIME seconds when clang is present.
test: deps
	@$(CMAKE) -S . -B $(B)/asan -DCMAKE_BUILD_TYPE=Debug -DMD_SANITIZE=ON >/dev/null
	@$(CMAKE) --build $(B)/asan -j$(JOBS)
	@cd $(B)/asan && ctest --output-on-failure -j$(JOBS) -LE fuzz
	@$(CMAKE) -S . -B $(B)/release-e2e -DCMAKE_BUILD_TYPE=Release >/dev/null
	@$(CMAKE) --build $(B)/release-e2e -j$(JOBS)
	@cd $(B)/release-e2e && ctest --output-on-failure -j$(JOBS) -L e2e
	@$(MAKE) --no-print-directory fuzz-smoke

fuzz-smoke:
	@if command -v clang >/dev/null 2>&1; then \
	  $(CMAKE) -S . -B $(B)/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	    -DMD_FUZZ=ON -DMD_FUZZ_SECONDS=$(FUZZTIME) -DMD_FUZZ_SEED=$(FUZZSEED) >/dev/null && \
	  $(CMAKE) --build $(B)/fuzz -j$(JOBS) && \
	  cd $(B)/fuzz && ctest --output-on-failure -j$(JOBS) -L fuzz; \
	else echo "clang not found: fuzzers only replayed their seeds"; fi

fuzz:
	@$(MAKE) --no-print-directory fuzz-smoke FUZZTIME=300 FUZZSEED=0

# Benchmarks (not tests): log ingest and trace, messages, the dossier, waits
# for a store a long ingest writes.
# Figures and how to read them: bench/RESULTS.md.
bench: build
	@./bench/run.sh $(B)/release
	@./bench/run_msg.sh $(B)/release
	@./bench/run_ticket.sh $(B)/release
	@./bench/run_concurrent.sh $(B)/release

demo: build
	@./fixtures/demo.sh $(B)/release/maildossier

# PREFIX: where to install (default: CMake's, /usr/local)
install: build
	@$(CMAKE) --install $(B)/release $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(B) demo-out maildossier.db maildossier.db-wal maildossier.db-shm maildossier.db-lock maildossier.db-journal
