# sse-mirror: the two commands a fresh Debian machine with the Swift toolchain needs are
# `make run` and `make test`; both install libyaml-dev and zlib1g-dev first when missing.

SWIFT ?= swift
CONFIG ?= mirror.yaml

.PHONY: run test layers browser-test build release check deps bench examples clean

## run: build and serve the repository's mirror.yaml
run: build
	.build/debug/sse-mirror $(CONFIG)

## test: build and run every test (Swift Testing; real inotify, sockets and processes), then the examples and the browser tests
test: deps layers
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build 2>&1
	python3 examples/check.py .build/debug/sse-mirror
	python3 Tests/integration/nchan_scale.py --sse-mirror .build/debug/sse-mirror
	@$(MAKE) --no-print-directory browser-test

## layers: inside each target, folder dependencies read one way (scripts/folder-deps.py; a cycle fails)
layers:
	@python3 scripts/folder-deps.py --check > /dev/null || { python3 scripts/folder-deps.py | grep -B1 -A0 cycle; exit 1; }

## browser-test: headless Chromium against the built binary (Tests/Browser); skipped without chromium
browser-test:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		$(SWIFT) build --product sse-mirror && \
		python3 Tests/Browser/browser_test.py --binary .build/debug/sse-mirror; \
	else \
		echo "browser tests skipped: no chromium (apt-get install chromium)"; \
	fi

build: deps
	$(SWIFT) build --product sse-mirror

release: deps
	$(SWIFT) build -c release --product sse-mirror

## examples: run every example in examples/ against the real binary (also part of `make test`)
examples: build
	python3 examples/check.py .build/debug/sse-mirror

## check: validate mirror.yaml
check: build
	.build/debug/sse-mirror check $(CONFIG)

## bench: release build, then the benchmark suite against the seed's design and a C floor
## (BASELINE=PATH runs an earlier binary beside it; ONLY=PART,PART runs those parts; see bench/README.md)
bench: release
	python3 bench/run.py --sse-mirror .build/release/sse-mirror --out bench/RESULTS.md \
		$(if $(BASELINE),--baseline $(BASELINE)) $(if $(ONLY),--only $(ONLY))

## deps: libyaml-dev, zlib1g-dev and pkg-config, through apt-get when root, else the exact command to run
deps:
	@if ! pkg-config --exists yaml-0.1 zlib 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing libyaml-dev, zlib1g-dev and pkg-config"; \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libyaml-dev zlib1g-dev pkg-config; \
		else \
			echo "libyaml-dev or zlib1g-dev is missing; run: sudo apt-get update && sudo apt-get install -y libyaml-dev zlib1g-dev pkg-config" >&2; \
			exit 1; \
		fi; \
	fi

clean:
	rm -rf .build
