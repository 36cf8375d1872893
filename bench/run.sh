#!/usr/bin/env bash
# indexkey against the tools users run today, in one run against the loopback emulator (https).
# A benchmark, not a test: hyperfine times every command; the emulator counts its requests and
# connections.
#
#   bash bench/run.sh                 # needs a release build (make release), hyperfine, cc, libcurl
#   bash bench/run.sh --rtt 20        # the same inside a private network namespace whose
#                                     # loopback delays every packet by half of 20 ms (tc netem);
#                                     # without netem, a round trip simulated by the emulator
#   RUNS=30 bash bench/run.sh         # runs per command (default 20)
#   bash bench/run.sh --ca-file       # every command trusts a one-certificate SSL_CERT_FILE
#                                     # instead of the system store
#   bash bench/run.sh --flows laptop  # only the flows whose name contains the text
#   bash bench/run.sh --only-indexkey --against OLD
#                                     # this build and another one (OLD: a path to its binary)
#                                     # timed side by side, nothing else (no venv, no floor)
#
# By default the emulator's CA is installed in the system trust store as update-ca-certificates
# would, inside a private mount namespace made for the run (unshare -m; nothing outside changes),
# and indexkey runs with no CA variable, as users run it (bench/bench.py --trust system).
#
# What it sets up: the floor (bench/floor.c, built with cc -lcurl) and a throwaway virtualenv
# with the Python tools (azure-identity, google-auth, the AWS CLI, keyring with the Google and
# CodeArtifact plugins, twine), installed from PyPI. Output: the markdown table on stdout and
# the JSON report in bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${INDEXKEY_BIN:-$root/.build/release/indexkey}
runs=${RUNS:-20}
rtt=0
trust=system
extra=()
only=no
while [ $# -gt 0 ]; do
  case $1 in
    --rtt) rtt=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --ca-file) trust=ca-file; shift ;;
    --only-indexkey) only=yes; extra+=(--only-indexkey); shift ;;
    --against|--label|--against-label|--flows) extra+=("$1" "$2"); shift 2 ;;
    *) echo "usage: bench/run.sh [--rtt MS] [--runs N] [--ca-file] [--only-indexkey] [--against BIN] [--flows TEXT]" >&2; exit 2 ;;
  esac
done

need() { command -v "$1" >/dev/null || { echo "bench: $1 is needed ($2)" >&2; exit 1; }; }
need hyperfine "apt-get install hyperfine"
need cc "apt-get install gcc"
need curl "apt-get install curl"
need strace "apt-get install strace"
[ -x "$bin" ] || { echo "bench: no indexkey at $bin; run make release (or set INDEXKEY_BIN)" >&2; exit 1; }

# --rtt: a private network namespace (no route anywhere but its own loopback), loopback up,
# and netem delaying each packet by half the round trip; everything the run starts lives in
# it. Where the kernel has no netem, the emulator simulates the round trip itself instead
# (emulator/latency.py: handshakes and requests cost what they would on such a link).
mode=none
if [ "$rtt" != 0 ]; then
  half=$(python3 -c "print($rtt / 2)")
  if probe=$(unshare -n sh -c "ip link set lo up && tc qdisc add dev lo root netem delay ${half}ms" 2>&1); then
    mode=netem
  else
    mode=simulated
    echo "bench: --rtt $rtt: tc netem in a private network namespace is not available here" >&2
    echo "bench: (${probe:-unshare -n failed}; kernel $(uname -r) lacks the sch_netem qdisc, or namespaces are not permitted)." >&2
    echo "bench: simulating the round trip inside the emulator instead; the table says so." >&2
  fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/indexkey-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
args=(--bin "$bin" --runs "$runs" --trust "$trust" "${extra[@]}")
if [ "$only" = no ]; then
  cc -O2 -Wall -o "$work/floor" bench/floor.c -lcurl

  # The Python side, pinned to what was current when this was written; uv if present, else venv+pip.
  peers="azure-identity==1.27.0 google-auth==2.62.2 requests==2.34.2 awscli==1.46.3 keyring==25.7.0
    keyrings.google-artifactregistry-auth==1.1.2 keyrings.codeartifact==2.1.2 keyrings.artifacts==1.0.2 twine==7.0.0
    cryptography pyyaml"
  if command -v uv >/dev/null; then
    uv venv -q --python python3 "$work/venv"
    uv pip install -q --python "$work/venv/bin/python" $peers
  else
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q $peers
  fi
  args+=(--venv "$work/venv" --floor "$work/floor")
fi

mkdir -p bench/out
args+=(--out "bench/out/bench-$(date -u +%Y%m%dT%H%MZ).json")
# The system trust store is changed only inside a mount namespace of the run's own (as root, or
# in a user namespace otherwise).
ns=()
if [ "$trust" = system ]; then
  if [ "$(id -u)" = 0 ]; then ns=(-m); else ns=(-r -m); fi
fi

if [ "$rtt" = 0 ]; then
  ${ns[@]:+unshare "${ns[@]}"} python3 bench/bench.py "${args[@]}"
elif [ "$mode" = netem ]; then
  unshare -n "${ns[@]}" bash -c "ip link set lo up && tc qdisc add dev lo root netem delay ${half}ms && exec python3 bench/bench.py $(printf '%q ' "${args[@]}") --rtt $rtt"
else
  ${ns[@]:+unshare "${ns[@]}"} python3 bench/bench.py "${args[@]}" --simulate-rtt "$rtt"
fi
