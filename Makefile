# sse-mirror: the two commands a fresh Debian machine with the Swift toolchain needs are
# `make run` and `make test`; both install libyaml-dev first when it is missing.

SWIFT ?= swift
CONFIG ?= mirror.yaml

.PHONY: run test build release check deps bench clean

## run: build and serve the repository's mirror.yaml
run: build
	.build/debug/sse-mirror $(CONFIG)

## test: build and run every test (Swift Testing; real inotify, sockets and processes)
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 Tests/integration/nchan_scale.py --sse-mirror .build/debug/sse-mirror

build: deps
	$(SWIFT) build --product sse-mirror

release: deps
	$(SWIFT) build -c release --product sse-mirror

## check: validate mirror.yaml
check: build
	.build/debug/sse-mirror check $(CONFIG)

## bench: release build, then the benchmark suite against the seed's design and a C floor
bench: release
	python3 bench/run.py --sse-mirror .build/release/sse-mirror --out bench/RESULTS.md

## deps: libyaml-dev and pkg-config, through apt-get when root, else the exact command to run
deps:
	@if ! pkg-config --exists yaml-0.1 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing libyaml-dev and pkg-config"; \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libyaml-dev pkg-config; \
		else \
			echo "libyaml-dev is missing; run: sudo apt-get update && sudo apt-get install -y libyaml-dev pkg-config" >&2; \
			exit 1; \
		fi; \
	fi

clean:
	rm -rf .build
