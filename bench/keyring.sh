#!/usr/bin/env bash
# Latency of a cached keyring answer: indexkey's `keyring` link against Python's
# `keyring get` for the same index, with hyperfine, against the loopback emulator.
#
# Python side: keyring 25.7.0 plus artifacts-keyring (Microsoft's Azure Artifacts plugin)
# in a throwaway virtualenv. artifacts-keyring only answers for the real Azure DevOps
# hosts (it probes the feed and runs Microsoft's .NET credential provider), so for the
# loopback feed it loads, declines and exits 1: that run is Python + keyring + plugin
# start-up, the least any lookup through it costs. A second run uses a trivial backend
# that returns a fixed password: the floor of any Python keyring answer.
#
#   bash bench/keyring.sh            (needs hyperfine, uv, and a release build)
#   COMPARE_BIN=path/to/other/indexkey bash bench/keyring.sh   (adds that build's cached answer)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${INDEXKEY_BIN:-$root/.build/release/indexkey}
runs=${RUNS:-100}
work=$(mktemp -d)
emu_pid=
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

(cd Tests/EndToEnd && exec python3 -m emulator serve --state-file "$work/state.json") 2>"$work/emulator.log" &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/state.json" ] && break; sleep 0.1; done
[ -s "$work/state.json" ] || { cat "$work/emulator.log"; exit 1; }

eval "$(python3 - "$work/state.json" <<'EOF'
import json, shlex, sys
state = json.load(open(sys.argv[1]))
for k, v in state["environment"].items():
    print(f"export {k}={shlex.quote(v)}")
url = state["index"]["simple_url"]
print(f"export URL={shlex.quote(url)}")
print(f"export INDEXKEY_REGISTRY={shlex.quote(url.split('/')[2] + '=azure-artifacts')}")
EOF
)"
export XDG_CACHE_HOME=$work/cache HOME=$work/home
mkdir -p "$HOME"

"$bin" keyring install "$work/bin" 2>/dev/null
"$work/bin/keyring" get "$URL" EntraToken >/dev/null 2>&1   # one mint; every run below is cached

uv venv -q --python python3 "$work/venv"
uv pip install -q --python "$work/venv/bin/python" keyring==25.7.0 artifacts-keyring
mkdir -p "$work/trivial"
cat >"$work/trivial/trivial_backend.py" <<'EOF'
import keyring.backend

class Fixed(keyring.backend.KeyringBackend):
    """Answers every lookup with one fixed password, touching nothing."""
    priority = 1

    def get_password(self, service, username):
        return "fixed-password"

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError
EOF

"$work/venv/bin/keyring" --list-backends | sed 's/^/python keyring backend: /'
"$work/bin/keyring" get "$URL" EntraToken >/dev/null 2>&1 && echo "indexkey answers from its cache"
[ "$(env PYTHONPATH="$work/trivial" PYTHON_KEYRING_BACKEND=trivial_backend.Fixed "$work/venv/bin/keyring" get "$URL" EntraToken)" = fixed-password ] \
  && echo "the trivial Python backend answers"

compare=()
if [ -n "${COMPARE_BIN:-}" ]; then
  mkdir -p "$work/compare" && ln -s "$COMPARE_BIN" "$work/compare/keyring"
  compare=(-n "COMPARE_BIN keyring get (cached)" "$work/compare/keyring get $URL EntraToken")
fi

hyperfine -N --warmup 5 --runs "$runs" -i --export-markdown "${BENCH_MARKDOWN:-/dev/null}" "${compare[@]}" \
  -n "indexkey --version (process start, for reference)" "$bin --version" \
  -n "indexkey keyring get (cached)" "$work/bin/keyring get $URL EntraToken" \
  -n "indexkey keyring --mode=creds --output=json get (cached)" "$work/bin/keyring --mode=creds --output=json get $URL" \
  -n "python keyring get, trivial backend" "env PYTHONPATH=$work/trivial PYTHON_KEYRING_BACKEND=trivial_backend.Fixed $work/venv/bin/keyring get $URL EntraToken" \
  -n "python keyring get, artifacts-keyring (declines: not an Azure host)" "$work/venv/bin/keyring get $URL EntraToken"
