"""The system trust store as a distribution installs it: every emulated service speaks https
with a throwaway CA, and indexkey runs in a private mount namespace whose /etc/ssl/certs is a
copy of the machine's with that CA added the way update-ca-certificates adds one (appended to
ca-certificates.crt and linked by subject hash) — or only one of the two. strace counts the
times each CA file is opened."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from emulator import Emulator
from emulator.tls import LoopbackTLS
from harness import CLIENT_ID, TENANT, Sandbox, binary_path, login_args

SYSTEM_CERTS = Path("/etc/ssl/certs")
SYSTEM_BUNDLE = SYSTEM_CERTS / "ca-certificates.crt"


@pytest.fixture(scope="module")
def tls_emu(tmp_path_factory):
    emulator = Emulator()
    emulator.tls = LoopbackTLS(tmp_path_factory.mktemp("tls"))
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def box(tls_emu, tmp_path):
    tls_emu.reset()
    tls_emu.trust_github(TENANT, CLIENT_ID)
    sandbox = Sandbox(tls_emu, tmp_path)
    yield sandbox
    sandbox.recheck()


def subject_hash(ca: Path) -> str:
    return subprocess.run(["openssl", "x509", "-noout", "-subject_hash", "-in", str(ca)],
                          capture_output=True, text=True, check=True).stdout.strip()


def system_store(root: Path, ca: Path, *, in_bundle: bool, in_directory: bool) -> Path:
    """A copy of /etc/ssl/certs (links kept as links) with `ca` added to the bundle and/or the
    hashed directory."""
    certs = root / "certs"
    shutil.copytree(SYSTEM_CERTS, certs, symlinks=True)
    if in_bundle:
        with open(certs / SYSTEM_BUNDLE.name, "a") as bundle:
            bundle.write(ca.read_text())
    if in_directory:
        shutil.copy(ca, certs / "indexkey-emulator-ca.pem")
        os.symlink("indexkey-emulator-ca.pem", certs / f"{subject_hash(ca)}.0")
    return certs


def traced(tmp_path: Path, monkeypatch, certs: Path | None) -> Path:
    """Makes the sandbox run indexkey in a private mount namespace (with `certs` over
    /etc/ssl/certs), under strace; returns the trace file."""
    for tool in ("unshare", "strace", "mount"):
        assert shutil.which(tool), f"{tool} is needed (apt-get install util-linux strace)"
    trace = tmp_path / "openat.trace"
    mount = f'mount --bind "{certs}" /etc/ssl/certs || exit 99; ' if certs else ""
    wrapper = tmp_path / "indexkey-traced"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"exec unshare -rm sh -c '{mount}exec strace -f -qq -e trace=openat -o \"{trace}\" \"$0\" \"$@\"' "
        f"\"{binary_path()}\" \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("INDEXKEY_BIN", str(wrapper))
    return trace


def opens(trace: Path, path: str) -> int:
    """Successful opens of `path` in the trace (any process, any flags)."""
    return sum(1 for line in trace.read_text().splitlines()
               if f'"{path}"' in line and "openat(" in line and " = -1 " not in line)


def azure_login(box: Sandbox, **env: str):
    return box.run(login_args(box, "--write", "shell"), {**box.github_runner_env(), **env})


def test_the_hashed_directory_serves_and_the_bundle_is_never_opened(box, tmp_path, monkeypatch):
    ca = box.emu.tls.ca_file
    certs = system_store(tmp_path, ca, in_bundle=True, in_directory=True)
    trace = traced(tmp_path, monkeypatch, certs)
    result = azure_login(box)
    assert result.code == 0, result
    assert box.emu.connections("entra") >= 1 and box.emu.connections("github") >= 1
    assert opens(trace, str(SYSTEM_BUNDLE)) == 0, trace.read_text()
    assert opens(trace, f"{SYSTEM_CERTS}/{subject_hash(ca)}.0") >= 1, "the CA must come from the hashed directory"


def test_a_ca_only_in_the_bundle_is_trusted_and_the_bundle_parsed_once(box, tmp_path, monkeypatch):
    certs = system_store(tmp_path, box.emu.tls.ca_file, in_bundle=True, in_directory=False)
    trace = traced(tmp_path, monkeypatch, certs)
    result = azure_login(box)
    assert result.code == 0, result
    connections = sum(box.emu.connections(s) for s in box.emu.services)
    assert connections >= 2, "the count below means something only over several connections"
    assert opens(trace, str(SYSTEM_BUNDLE)) == 1, trace.read_text()


def test_an_explicit_ssl_cert_file_is_used_and_parsed_once(box, tmp_path, monkeypatch):
    ca = box.write_input("private-ca.pem", box.emu.tls.ca_file.read_text(), mode=0o644)
    trace = traced(tmp_path, monkeypatch, None)  # the machine's own store, which lacks the CA
    result = azure_login(box, SSL_CERT_FILE=str(ca))
    assert result.code == 0, result
    assert sum(box.emu.connections(s) for s in box.emu.services) >= 2
    assert opens(trace, str(ca)) == 1, trace.read_text()
    assert opens(trace, str(SYSTEM_BUNDLE)) == 0, trace.read_text()


def test_an_ssl_cert_dir_is_honoured(box, tmp_path, monkeypatch):
    ca = box.emu.tls.ca_file
    hashed = tmp_path / "hashed"
    hashed.mkdir()
    shutil.copy(ca, hashed / f"{subject_hash(ca)}.0")
    trace = traced(tmp_path, monkeypatch, None)
    result = azure_login(box, SSL_CERT_DIR=str(hashed))
    assert result.code == 0, result
    assert opens(trace, str(SYSTEM_BUNDLE)) == 0, trace.read_text()


def test_an_untrusted_server_is_refused_by_name_once_and_not_retried(box, tmp_path, monkeypatch):
    trace = traced(tmp_path, monkeypatch, None)  # the emulator's CA is nowhere in the store
    result = azure_login(box)
    assert result.code == 5, result
    assert "failed TLS verification" in result.stderr, result
    assert "unable to get local issuer certificate" in result.stderr, result
    assert "SSL_CERT_FILE" in result.stderr, result  # the fix is named
    assert box.emu.requests() == [], "no request may cross an unverified connection"
    assert box.emu.connections("github") == 1, "a verification failure is never retried"
    # the directory did not know the issuer, so the bundle was tried, once
    assert opens(trace, str(SYSTEM_BUNDLE)) == 1, trace.read_text()
    assert not box.github_env.read_text()


def test_version_opens_no_ca_file(box, tmp_path, monkeypatch):
    trace = traced(tmp_path, monkeypatch, None)
    result = box.run(["--version"])
    assert result.code == 0, result
    ca_files = [line for line in trace.read_text().splitlines() if "/etc/ssl" in line or "/etc/pki" in line]
    assert ca_files == [], ca_files
    assert "libcurl" not in trace.read_text()


# Every OpenSSL function trust.c calls, and the library of libcurl's that must provide it.
TRUST_FUNCTIONS = {
    "SSL_CTX_set1_cert_store": "libssl.so.3", "SSL_CTX_set_cert_verify_callback": "libssl.so.3",
    **{name: "libcrypto.so.3" for name in (
        "X509_STORE_new", "X509_STORE_add_lookup", "X509_STORE_set_flags", "X509_LOOKUP_hash_dir",
        "X509_LOOKUP_file", "X509_LOOKUP_ctrl", "X509_load_cert_crl_file", "X509_verify_cert",
        "X509_VERIFY_PARAM_set1", "X509_STORE_CTX_new", "X509_STORE_CTX_free", "X509_STORE_CTX_init",
        "X509_STORE_CTX_get_error", "X509_STORE_CTX_set_error", "X509_STORE_CTX_get0_param",
        "X509_STORE_CTX_get0_cert", "X509_STORE_CTX_get0_untrusted", "X509_STORE_CTX_get1_chain",
        "X509_STORE_CTX_set0_verified_chain")},
}
# ld.so's record of one symbol bound: `binding file FROM [n] to TO [n]: normal symbol `NAME'`, then
# ` [VERSION]` for a reference with a version (every reference between OpenSSL's libraries has
# one). A dlsym on a handle is recorded with the handle's file as FROM, and no version.
BINDING = re.compile(r"binding file (\S+) \[\d+\] to (\S+) \[\d+\]: normal symbol `([^']+)'( \[[^\]]+\])?")


def test_the_shared_store_is_made_by_the_openssl_libcurl_loaded(box, tmp_path, monkeypatch):
    """The release binary carries its own libcrypto (linked in); libcurl loads libssl.so.3 and
    libcrypto.so.3. A store made by the first must never reach an SSL_CTX of the second: the
    dynamic linker's own record (LD_DEBUG=bindings) shows every OpenSSL function of the trust
    store looked up (dlsym) in libcurl's libssl, and none of their symbols bound to the binary.
    A function called through the copy linked in leaves no such line."""
    binary = binary_path().resolve()
    certs = system_store(tmp_path, box.emu.tls.ca_file, in_bundle=True, in_directory=False)
    log = tmp_path / "bindings"
    wrapper = tmp_path / "indexkey-in-namespace"
    wrapper.write_text("#!/bin/sh\n"
                       f"exec unshare -rm sh -c 'mount --bind \"{certs}\" /etc/ssl/certs || exit 99; "
                       f"LD_DEBUG=bindings LD_DEBUG_OUTPUT=\"{log}\" exec \"$0\" \"$@\"' \"{binary}\" \"$@\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setenv("INDEXKEY_BIN", str(wrapper))
    result = azure_login(box)  # the CA only in the bundle: the fallback verification runs too
    assert result.code == 0, result

    bindings = [(Path(source).resolve(), Path(target).resolve(), symbol, version)
                for f in tmp_path.glob("bindings.*") for source, target, symbol, version in BINDING.findall(f.read_text())]
    looked_up = {symbol: target for source, target, symbol, version in bindings
                 if source.name == "libssl.so.3" and not version}
    for function, library in TRUST_FUNCTIONS.items():
        assert function in looked_up, f"{function} was not looked up in libssl: the copy linked in served it"
        assert looked_up[function].name == library, (function, looked_up[function])
    linked_in = re.compile(r"^(SSL|X509|EVP|OPENSSL|CRYPTO|BIO|ERR|PEM|ASN1|RSA|json|msgpack|yaml)_")
    into_binary = sorted({(source.name, symbol) for source, target, symbol, _ in bindings
                          if target == binary and source != binary and linked_in.match(symbol)})
    assert into_binary == [], f"shared libraries bound to OpenSSL symbols of the binary: {into_binary[:10]}"
