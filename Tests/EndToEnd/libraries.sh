#!/usr/bin/env bash
# The end-to-end suite against the libraries of other distributions, built here from their
# repositories' release tags into $OLDCURL_DIR and loaded through LD_LIBRARY_PATH:
#
# - each libcurl named (default 7.76.1, RHEL 9's, and 7.81.0, Ubuntu 22.04's), configured
#   --with-openssl against this machine's OpenSSL 3: the files that exercise libcurl run
#   against it, after strace has shown that indexkey loads that very file;
# - OLDCURL_TOO_OLD (default 7.75.0; empty: none), below the minimum: indexkey must refuse it
#   with one sentence and exit 7, before any request;
# - libxml2 LIBXML2_VERSION (default 2.15.3; empty: none), whose soname is libxml2.so.16:
#   the AWS exchange must read its STS answer through it.
#
#   bash Tests/EndToEnd/libraries.sh 7.76.1 7.81.0      # what `make e2e-oldcurl` runs
#
# Environment: INDEXKEY_BIN (default .build/release/indexkey), OLDCURL_DIR (default
# .build-oldcurl), CURL_GIT and LIBXML2_GIT (the repositories to clone the tags from; default
# GitHub), OLDCURL_TESTS (the test files run against each libcurl). Each library is built once.
# Needs autoconf, automake, libtool, make, a C compiler, libssl-dev, git and strace.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=${INDEXKEY_BIN:-$root/.build/release/indexkey}
dir=${OLDCURL_DIR:-$root/.build-oldcurl}
curl_git=${CURL_GIT:-https://github.com/curl/curl.git}
libxml2_git=${LIBXML2_GIT:-https://github.com/GNOME/libxml2.git}
too_old=${OLDCURL_TOO_OLD-7.75.0}
libxml2=${LIBXML2_VERSION-2.15.3}
tests=${OLDCURL_TESTS:-test_login_github.py test_trust_store.py test_token.py test_aws.py test_pypi.py test_faults.py test_keyring.py}
[ $# -gt 0 ] || set -- 7.76.1 7.81.0
say() { echo "libraries: $*" >&2; }
[ -x "$bin" ] || { say "no indexkey at $bin; run make release (or set INDEXKEY_BIN)"; exit 1; }
for tool in autoreconf libtoolize make cc git strace; do
  command -v "$tool" >/dev/null || { say "$tool is needed (apt-get install autoconf automake libtool make gcc git strace)"; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/indexkey-libraries.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Clones TAG of the repository URL (a directory works too) into SRC.
clone() {
  local url=$1 tag=$2 src=$3
  rm -rf "$src" && mkdir -p "$(dirname "$src")"
  [ -d "$url" ] && url=file://$(cd "$url" && pwd)
  git -c advice.detachedHead=false clone -q --depth 1 --branch "$tag" "$url" "$src"
}

# Builds libcurl VERSION into $dir/curl-VERSION unless it is there; prints the prefix.
build_curl() {
  local version=$1 prefix=$dir/curl-$1 src=$dir/src/curl-$1
  if [ ! -e "$prefix/lib/libcurl.so.4" ]; then
    say "building libcurl $version (once)"
    clone "$curl_git" "curl-${version//./_}" "$src" >&2
    (
      cd "$src"
      # What a release tarball says: "7.76.1", not the repository's "7.76.1-DEV".
      sed -i 's/^#define LIBCURL_VERSION "\([0-9.]*\)-DEV"/#define LIBCURL_VERSION "\1"/' include/curl/curlver.h
      autoreconf -fi >/dev/null 2>&1
      ./configure -q --prefix="$prefix" --with-openssl --disable-static --disable-manual --disable-ldap \
        --without-libpsl --without-brotli --without-zstd --without-libidn2 --without-nghttp2 --without-librtmp \
        --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs >/dev/null 2>&1
      make -s -j"$(nproc)" -C lib >/dev/null 2>&1
      make -s -C lib install >/dev/null && make -s -C include install >/dev/null
    ) || { say "building libcurl $version failed (in $src)"; return 1; }
  fi
  echo "$prefix"
}

# Builds libxml2 VERSION into $dir/libxml2-VERSION unless it is there; prints the library.
build_libxml2() {
  local version=$1 prefix=$dir/libxml2-$1 src=$dir/src/libxml2-$1
  if [ ! -e "$prefix/lib/libxml2.so.16" ]; then
    say "building libxml2 $version (once)"
    clone "$libxml2_git" "v$version" "$src" >&2
    (
      cd "$src"
      NOCONFIGURE=1 ./autogen.sh >/dev/null 2>&1
      ./configure -q --prefix="$prefix" --disable-static --without-python --without-icu --without-zlib >/dev/null 2>&1
      make -s -j"$(nproc)" libxml2.la >/dev/null 2>&1
      make -s install-libLTLIBRARIES >/dev/null
    ) || { say "building libxml2 $version failed (in $src)"; return 1; }
  fi
  echo "$prefix/lib/libxml2.so.16"
}

# What the libcurl in PREFIX reports about itself.
curl_version() {
  python3 -c 'import ctypes, sys
lib = ctypes.CDLL(sys.argv[1] + "/lib/libcurl.so.4")
lib.curl_version.restype = ctypes.c_char_p
print(lib.curl_version().decode())' "$1"
}

# `indexkey login` against a port nothing listens on, with LD_LIBRARY_PATH=PREFIX/lib: its
# output goes to $work/out and $work/err, its exit code is printed, and under strace the
# libcurl.so.4 it opened is written to $work/loaded.
login_with() {
  local code=0
  printf 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.\n' >"$work/token"
  mkdir -p "$work/home"
  strace -f -qq -e trace=openat -o "$work/trace" \
    env -i PATH="$PATH" HOME="$work/home" LD_LIBRARY_PATH="$1/lib" "$bin" login http://127.0.0.1:9/simple/ \
    --registry pypi --identity "file:$work/token" --timeout 1 --write shell >"$work/out" 2>"$work/err" || code=$?
  grep 'libcurl\.so\.4"' "$work/trace" | grep -v ' = -1 ' | grep -o '"[^"]*"' | tr -d '"' | head -1 >"$work/loaded"
  echo "$code"
}

status=0
for version in "$@"; do
  prefix=$(build_curl "$version")
  say "$(curl_version "$prefix")"
  login_with "$prefix" >/dev/null
  if [ "$(cat "$work/loaded")" != "$prefix/lib/libcurl.so.4" ]; then
    say "indexkey loaded '$(cat "$work/loaded")', not $prefix/lib/libcurl.so.4"
    exit 1
  fi
  say "indexkey loads $prefix/lib/libcurl.so.4; the end-to-end files against it:"
  (cd Tests/EndToEnd && INDEXKEY_BIN=$bin LD_LIBRARY_PATH=$prefix/lib python3 -m pytest -q -p no:cacheprovider $tests) ||
    status=1
done

if [ -n "$too_old" ]; then
  prefix=$(build_curl "$too_old")
  say "$(curl_version "$prefix"): must be refused"
  code=$(login_with "$prefix")
  cat "$work/err" >&2
  if [ "$code" != 7 ] || [ "$(wc -l <"$work/err")" != 1 ] || [ -s "$work/out" ] ||
    ! grep -q "^indexkey: error: libcurl $too_old is older than 7.76.0, the oldest indexkey supports; " "$work/err"; then
    say "libcurl $too_old was not refused with one sentence and exit 7 (exit $code)"
    status=1
  fi
fi

if [ -n "$libxml2" ]; then
  library=$(build_libxml2 "$libxml2")
  say "libxml2 $libxml2 ($library): the AWS exchange reads STS through it"
  (cd Tests/EndToEnd && INDEXKEY_BIN=$bin INDEXKEY_LIBXML2_16=$library python3 -m pytest -q -p no:cacheprovider \
    test_aws.py -k libxml2_so_16) || status=1
fi

[ $status = 0 ] && say "all passed" || say "FAILED"
exit $status
