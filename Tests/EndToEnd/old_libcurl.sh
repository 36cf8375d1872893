#!/usr/bin/env bash
# The end-to-end suite against libcurl releases older than the machine's: each version is
# built once from the curl repository's tag (./configure --with-openssl, against this
# machine's OpenSSL 3) into $OLDCURL_DIR/curl-VERSION, then loaded through LD_LIBRARY_PATH.
#
#   bash Tests/EndToEnd/old_libcurl.sh 7.76.1 7.81.0      # what `make e2e-oldcurl` runs
#
# Environment: INDEXKEY_BIN (default .build/release/indexkey), OLDCURL_DIR (default
# .build-oldcurl), CURL_GIT (the curl repository to clone the tags from; default GitHub),
# OLDCURL_TOO_OLD (a version below the minimum, built the same way: indexkey must refuse it
# with one sentence and exit 7; empty skips that check), OLDCURL_TESTS (the test files).
# Needs autoconf, automake, libtool, make, a C compiler and libssl-dev.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=${INDEXKEY_BIN:-$root/.build/release/indexkey}
dir=${OLDCURL_DIR:-$root/.build-oldcurl}
git_url=${CURL_GIT:-https://github.com/curl/curl.git}
too_old=${OLDCURL_TOO_OLD-7.75.0}
tests=${OLDCURL_TESTS:-test_login_github.py test_trust_store.py test_token.py test_aws.py test_pypi.py test_faults.py test_keyring.py}
[ $# -gt 0 ] || set -- 7.76.1 7.81.0
[ -x "$bin" ] || { echo "old_libcurl: no indexkey at $bin; run make release (or set INDEXKEY_BIN)" >&2; exit 1; }
for tool in autoreconf libtoolize make cc git strace; do
  command -v "$tool" >/dev/null || { echo "old_libcurl: $tool is needed (apt-get install autoconf automake libtool make gcc git strace)" >&2; exit 1; }
done

# Builds libcurl VERSION into $dir/curl-VERSION unless it is there; prints the prefix.
build() {
  local version=$1 prefix=$dir/curl-$1 src=$dir/src/curl-$1 url=$git_url
  if [ ! -e "$prefix/lib/libcurl.so.4" ]; then
    rm -rf "$src" && mkdir -p "$dir/src"
    [ -d "$url" ] && url=file://$(cd "$url" && pwd)
    git -c advice.detachedHead=false clone -q --depth 1 --branch "curl-${version//./_}" "$url" "$src" >&2
    (
      cd "$src"
      # What a release tarball says: "7.76.1", not the repository's "7.76.1-DEV".
      sed -i 's/^#define LIBCURL_VERSION "\([0-9.]*\)-DEV"/#define LIBCURL_VERSION "\1"/' include/curl/curlver.h
      autoreconf -fi >/dev/null 2>&1
      ./configure -q --prefix="$prefix" --with-openssl --disable-static --disable-manual --disable-ldap \
        --without-libpsl --without-brotli --without-zstd --without-libidn2 --without-nghttp2 --without-librtmp \
        --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs >&2
      make -s -j"$(nproc)" -C lib >/dev/null 2>&1
      make -s -C lib install >/dev/null && make -s -C include install >/dev/null
    ) || { echo "old_libcurl: building libcurl $version failed (in $src)" >&2; return 1; }
  fi
  echo "$prefix"
}

# The version the library in PREFIX reports, as indexkey will read it.
reported() {
  python3 -c 'import ctypes, sys
lib = ctypes.CDLL(sys.argv[1] + "/lib/libcurl.so.4")
lib.curl_version.restype = ctypes.c_char_p
print(lib.curl_version().decode())' "$1"
}

# A command that loads libcurl and fails at its first request (nothing listens on port 9),
# under strace: prints the libcurl.so.4 the process opened.
loaded_by_indexkey() {
  local token
  token=$(mktemp)
  printf 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.\n' >"$token"
  LD_LIBRARY_PATH=$1/lib strace -f -qq -e trace=openat -o "$token.trace" \
    env -i PATH="$PATH" HOME="$(mktemp -d)" "$bin" login http://127.0.0.1:9/simple/ --registry pypi \
    --identity "file:$token" --timeout 1 --write shell >/dev/null 2>"$token.err" || true
  grep 'libcurl\.so\.4"' "$token.trace" | grep -v ' = -1 ' | grep -o '"[^"]*"' | tr -d '"' | head -1
  rm -f "$token" "$token.trace" "$token.err"
}

status=0
for version in "$@"; do
  prefix=$(build "$version")
  echo "old_libcurl: $(reported "$prefix")"
  loaded=$(loaded_by_indexkey "$prefix")
  if [ "$loaded" != "$prefix/lib/libcurl.so.4" ]; then
    echo "old_libcurl: indexkey loaded '${loaded:-no libcurl}', not $prefix/lib/libcurl.so.4" >&2
    exit 1
  fi
  echo "old_libcurl: indexkey loads $loaded; running the end-to-end subset"
  (cd Tests/EndToEnd && INDEXKEY_BIN=$bin LD_LIBRARY_PATH=$prefix/lib python3 -m pytest -q -p no:cacheprovider $tests) ||
    status=1
done

if [ -n "$too_old" ]; then
  prefix=$(build "$too_old")
  echo "old_libcurl: $(reported "$prefix") must be refused"
  out=$(mktemp -d)
  code=0
  env -i PATH="$PATH" HOME="$out" LD_LIBRARY_PATH="$prefix/lib" "$bin" login http://127.0.0.1:9/simple/ \
    --registry pypi --identity "file:/dev/null" --write shell >"$out/stdout" 2>"$out/stderr" || code=$?
  cat "$out/stderr"
  lines=$(wc -l <"$out/stderr")
  if [ "$code" != 7 ] || [ "$lines" != 1 ] || [ -s "$out/stdout" ] ||
    ! grep -q "libcurl $too_old is older than 7.76.0" "$out/stderr"; then
    echo "old_libcurl: libcurl $too_old was not refused with one sentence and exit 7 (exit $code)" >&2
    status=1
  fi
  rm -rf "$out"
fi
exit $status
