# indexkey — build, demo and tests. `make deps` installs the system and Python packages.
SWIFT ?= swift
BIN := .build/release/indexkey
PYTHON ?= python3
comma := ,

.PHONY: build release test unit e2e e2e-oldcurl demo deps bench clean fuzz fuzz-build sanitize format lint

build:
	$(SWIFT) build

# The Swift runtime linked statically: the binary starts in ~11 ms instead of ~18 ms.
release:
	$(SWIFT) build -c release --static-swift-stdlib

deps:
	@if [ "$$(id -u)" = 0 ]; then S=""; else S=sudo; fi; \
	$$S apt-get update -qq && $$S apt-get install -y -qq --no-install-recommends \
	  libcurl4-openssl-dev libjansson-dev libssl-dev libxml2 pkg-config openssl curl fish strace \
	  libmsgpack-dev libyaml-dev libsecret-1-0 libsecret-tools gnome-keyring dbus
	$(PYTHON) -m pip install -q -r Tests/EndToEnd/requirements.txt

# Unit tests (Swift Testing), then the end-to-end suite against the release binary.
test: unit e2e

unit:
	$(SWIFT) test

e2e: release
	INDEXKEY_BIN=$(CURDIR)/$(BIN) $(PYTHON) -m pytest -q Tests/EndToEnd

# The end-to-end files that exercise libcurl (login, pip install and twine upload, the
# system trust store, AWS's XML, PyPI, timeouts and resets, the keyring helper) against
# each older libcurl of OLDCURL_VERSIONS, built once from the curl repository's tag with
# OpenSSL into OLDCURL_DIR and loaded through LD_LIBRARY_PATH; a libcurl below the minimum
# (OLDCURL_TOO_OLD), which must be refused with one sentence and exit 7; and the AWS
# exchange through libxml2 LIBXML2_VERSION (libxml2.so.16). See Tests/EndToEnd/libraries.sh.
# Needs autoconf, automake and libtool; CURL_GIT and LIBXML2_GIT may name local clones.
OLDCURL_VERSIONS ?= 7.76.1 7.81.0
OLDCURL_TOO_OLD ?= 7.75.0
LIBXML2_VERSION ?= 2.15.3
OLDCURL_DIR ?= $(CURDIR)/.build-oldcurl
CURL_GIT ?= https://github.com/curl/curl.git
LIBXML2_GIT ?= https://github.com/GNOME/libxml2.git

e2e-oldcurl: release
	INDEXKEY_BIN=$(CURDIR)/$(BIN) OLDCURL_DIR=$(OLDCURL_DIR) CURL_GIT=$(CURL_GIT) LIBXML2_GIT=$(LIBXML2_GIT) \
	  OLDCURL_TOO_OLD=$(OLDCURL_TOO_OLD) LIBXML2_VERSION=$(LIBXML2_VERSION) \
	  bash Tests/EndToEnd/libraries.sh $(OLDCURL_VERSIONS)

# swift format with the checked-in .swift-format: `format` rewrites in place, `lint` lists
# every finding and fails when there is one.
FORMAT_PATHS := Package.swift Sources Tests Fuzz

format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMAT_PATHS)

lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)

# The main job against the local emulator: GitHub Actions OIDC -> Entra ID -> Azure
# Artifacts, then a real pip install and twine upload with what indexkey wrote.
demo: release
	INDEXKEY_BIN=$(CURDIR)/$(BIN) $(PYTHON) Tests/EndToEnd/demo.py

# libFuzzer over every parser of untrusted bytes (Fuzz/IndexKeyFuzz/main.swift), each
# for FUZZ_SECONDS from its committed seed corpus Fuzz/corpus/NAME/. New inputs go to
# .build-fuzz/corpus/NAME/, crashes to .build-fuzz/crashes/. FUZZ_TARGETS=json,ini picks some.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(notdir $(wildcard Fuzz/corpus/*))
FUZZ_BIN := .build-fuzz/release/IndexKeyFuzz

fuzz-build:
	INDEXKEY_FUZZ=1 $(SWIFT) build -c release --build-path .build-fuzz --product IndexKeyFuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing

fuzz: fuzz-build
	@mkdir -p .build-fuzz/crashes; status=0; \
	for t in $(subst $(comma), ,$(FUZZ_TARGETS)); do \
	  mkdir -p .build-fuzz/corpus/$$t; \
	  SWIFT_BACKTRACE=enable=no INDEXKEY_FUZZ_TARGET=$$t $(FUZZ_BIN) .build-fuzz/corpus/$$t Fuzz/corpus/$$t \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=.build-fuzz/crashes/$$t- 2>.build-fuzz/$$t.log \
	    || { status=1; echo "fuzz $$t: CRASH, see .build-fuzz/$$t.log and .build-fuzz/crashes/"; }; \
	  echo "fuzz $$t: $$(grep -h 'stat::number_of_executed_units' .build-fuzz/$$t.log | awk '{print $$2}') runs in $(FUZZ_SECONDS) s"; \
	done; exit $$status

# The unit tests under AddressSanitizer, then ThreadSanitizer (each its own build folder;
# the parallel exchanges and the keyring cache lock are concurrent code).
sanitize:
	$(SWIFT) test --build-path .build-asan --sanitize=address
	$(SWIFT) test --build-path .build-tsan --sanitize=thread

bench: release
	bash bench/run.sh

clean:
	rm -rf .build
