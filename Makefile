# indexkey — build, demo and tests. `make deps` installs the system packages and makes .venv,
# the project's own virtualenv with the Python test and packaging tools (nothing is installed
# into the system interpreter).
SWIFT ?= swift
BIN := .build/release/indexkey
PYTHON ?= python3
VENV := .venv
# Runs a command with the virtualenv's python, pip, uv, twine, … first on PATH.
IN_VENV := PATH=$(CURDIR)/$(VENV)/bin:$$PATH
comma := ,

.PHONY: build release test unit e2e e2e-oldcurl demo deps venv bench clean fuzz fuzz-build sanitize wheel dist version format lint

# The version `indexkey --version` prints; the wheel and the tarball take it from there too.
VERSION := $(shell sed -n 's/.*indexkeyVersion = "\(.*\)".*/\1/p' Sources/IndexKit/Support/Version.swift)
TARBALL := indexkey-$(VERSION)-linux-$(shell uname -m)

build:
	$(SWIFT) build

# The release binary, as the wheel and the tarball ship it: the Swift runtime, libstdc++,
# libcrypto, jansson, msgpack-c and libyaml linked in, so that it starts with glibc (and
# libgcc_s) alone; libcurl, libxml2 and libsecret are opened on first use. $(STATIC)/lib holds
# those archives and no shared library, and the pkg-config files in $(STATIC)/pkgconfig name it
# in place of the system's library directory, so the linker finds the archives first.
# packaging/glibc-floor.c keeps the oldest glibc it needs at 2.34 (see there).
STATIC := $(CURDIR)/.build/static
STATIC_LIBS := libcrypto:crypto jansson:jansson msgpack:msgpackc yaml-0.1:yaml

release: $(STATIC)/glibc-floor.o
	PKG_CONFIG_PATH=$(STATIC)/pkgconfig $(SWIFT) build -c release --static-swift-stdlib \
	  -Xlinker $(STATIC)/glibc-floor.o

$(STATIC)/glibc-floor.o: packaging/glibc-floor.c Makefile
	rm -rf $(STATIC) && mkdir -p $(STATIC)/lib $(STATIC)/pkgconfig
	@for pair in $(STATIC_LIBS) :stdc++; do pc=$${pair%%:*}; lib=$${pair##*:}; \
	  archive=$$($(CC) -print-file-name=lib$$lib.a); \
	  [ -f "$$archive" ] || { echo "no lib$$lib.a: install the -dev package that ships it (make deps)"; exit 1; }; \
	  ln -s "$$archive" $(STATIC)/lib/; \
	  [ -z "$$pc" ] || sed 's|-L$${libdir}|-L$(STATIC)/lib|' "$$(pkg-config --variable=pcfiledir $$pc)/$$pc.pc" \
	    > $(STATIC)/pkgconfig/$$pc.pc || exit 1; \
	done
	$(CC) -O2 -fPIE -Wall -Wextra -c packaging/glibc-floor.c -o $@

version:
	@echo $(VERSION)

# The wheel, dist/indexkey-VERSION-py3-none-manylinux_X_Y_ARCH.whl (pyproject.toml,
# packaging/hatch_build.py), checked as PyPI and installers will read it.
wheel: release venv
	rm -f dist/indexkey-*.whl
	$(IN_VENV) python -m build --wheel --no-isolation --outdir dist .
	$(IN_VENV) twine check --strict dist/indexkey-$(VERSION)-*.whl
	$(IN_VENV) check-wheel-contents dist/indexkey-$(VERSION)-*.whl
	$(IN_VENV) auditwheel show dist/indexkey-$(VERSION)-*.whl

# The release artifacts: the wheel, and dist/$(TARBALL).tar.gz holding the same binary (taken
# out of the wheel) with its SHA-256 in dist/$(TARBALL).tar.gz.sha256.
dist: wheel
	rm -rf .build/dist dist/$(TARBALL).tar.gz* && mkdir -p .build/dist/$(TARBALL)
	$(IN_VENV) python -m zipfile -e dist/indexkey-$(VERSION)-*.whl .build/dist/wheel
	install -m 0755 .build/dist/wheel/indexkey-$(VERSION).data/scripts/indexkey .build/dist/$(TARBALL)/indexkey
	install -m 0644 README.md .build/dist/$(TARBALL)/
	tar -C .build/dist --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - $(TARBALL) \
	  | gzip -9n > dist/$(TARBALL).tar.gz
	cd dist && sha256sum $(TARBALL).tar.gz > $(TARBALL).tar.gz.sha256
	@ls -l dist/

deps:
	@if [ "$$(id -u)" = 0 ]; then S=""; else S=sudo; fi; \
	$$S apt-get update -qq && $$S apt-get install -y -qq --no-install-recommends >/dev/null \
	  libcurl4-openssl-dev libjansson-dev libssl-dev libxml2 pkg-config openssl curl fish strace \
	  libmsgpack-dev libyaml-dev libsecret-1-0 libsecret-tools gnome-keyring dbus binutils g++
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { if [ "$$(id -u)" = 0 ]; then S=""; else S=sudo; fi; \
	  $$S apt-get install -y -qq --no-install-recommends python3-venv; }
	$(MAKE) venv

# The virtualenv, made again whenever the requirements change.
venv: $(VENV)/.installed

$(VENV)/.installed: Tests/EndToEnd/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r Tests/EndToEnd/requirements.txt
	touch $@

# Unit tests (Swift Testing), then the end-to-end suite against the release binary.
test: unit e2e

unit:
	$(SWIFT) test

e2e: release venv
	INDEXKEY_BIN=$(CURDIR)/$(BIN) $(IN_VENV) python -m pytest -q Tests/EndToEnd

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

e2e-oldcurl: release venv
	INDEXKEY_BIN=$(CURDIR)/$(BIN) $(IN_VENV) OLDCURL_DIR=$(OLDCURL_DIR) CURL_GIT=$(CURL_GIT) LIBXML2_GIT=$(LIBXML2_GIT) \
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
demo: release venv
	INDEXKEY_BIN=$(CURDIR)/$(BIN) $(IN_VENV) python Tests/EndToEnd/demo.py

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
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp $(SWIFT) test --build-path .build-asan --sanitize=address
	$(SWIFT) test --build-path .build-tsan --sanitize=thread

bench: release venv
	$(IN_VENV) bash bench/run.sh

clean:
	rm -rf .build dist
