"""Encrypted profiles in acct's format, round-tripped with the real `acct` package:
`indexkey login --profile`, `profiles encrypt|decrypt|edit|list`, and the bad inputs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from harness import CLIENT_ID, TENANT, masked_values, run_binary
from profile_support import (acct, acct_decrypt, acct_encrypt, acct_encrypt_json_serial,
                             damaged_tokens, fernet_refuses, write_yaml)

SECRET = "azsecret~profile-" + os.urandom(6).hex()


def feed_profile(sandbox, feed: str = "feed") -> dict:
    return {"index_url": sandbox.index_url(feed=feed), "registry": "azure-artifacts",
            "azure_tenant_id": TENANT, "azure_client_id": CLIENT_ID,
            "azure_client_secret": SECRET, "azure_authority_host": sandbox.emu.entra.url}


@pytest.fixture
def acct_file(emu, sandbox):
    """A profile file written by `acct encrypt`, and its key."""
    emu.trust_github(TENANT, CLIENT_ID, secret=SECRET)
    data = {"indexkey": {"main": feed_profile(sandbox), "mirror": feed_profile(sandbox, "mirror")},
            "other-provider": {"default": {"user": "x"}}}
    plain = write_yaml(sandbox.work / "profiles.yml", data)
    key = acct_encrypt(plain)
    plain.unlink()  # only the encrypted file stays
    path = Path(str(plain) + ".fernet")
    sandbox.leaks.add_input(path)
    return path, key


def no_key_in(result, key: str) -> None:
    assert key not in result.stdout and key not in result.stderr


def test_acct_encrypted_profile_logs_in_and_pip_installs(emu, sandbox, acct_file):
    path, key = acct_file
    result = sandbox.run(["login", "--profile", "main", "--write", "shell"],
                         {"ACCT_FILE": str(path), "ACCT_KEY": key})
    assert result.code == 0, result
    no_key_in(result, key)
    assert "index 'feed'" in result.stderr
    proc, target = sandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()


def test_several_profiles_run_like_several_indexes(emu, sandbox, acct_file):
    path, key = acct_file
    result = sandbox.run(["login", "--profile", "main", "--profile", "mirror", "--write", "shell"],
                         {"ACCT_FILE": str(path), "ACCT_KEY": key})
    assert result.code == 0, result
    assert "index 'feed'" in result.stderr and "index 'mirror'" in result.stderr
    proc, _ = sandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_token_and_keyring_use_INDEXKEY_PROFILE(emu, sandbox, acct_file):
    path, key = acct_file
    env = {"ACCT_FILE": str(path), "ACCT_KEY": key, "INDEXKEY_PROFILE": "main"}
    result = sandbox.run(["token"], env)
    assert result.code == 0, result
    (token,) = emu.entra.issued
    assert result.stdout == token + "\n"
    # The keyring helper answers pip on stdout by design: checked by hand.
    result = run_binary(["keyring", "--no-cache", "get", sandbox.index_url(), "x"], env, sandbox.home)
    assert result.code == 0, result
    assert result.stdout.strip() in emu.entra.issued
    assert SECRET not in result.stdout + result.stderr and key not in result.stdout + result.stderr


def test_profile_secrets_are_masked_before_anything_else(emu, sandbox, acct_file):
    path, key = acct_file
    env = sandbox.github_runner_env(AZURE_CLIENT_ID=None, AZURE_TENANT_ID=None, AZURE_AUTHORITY_HOST=None)
    env.update({"ACCT_FILE": str(path), "ACCT_KEY": key})
    # The masker prints the secret in its mask command, so this run is checked by hand.
    result = run_binary(["login", "--profile", "main", "--dry-run"], env, sandbox.home)
    assert result.code == 0, result
    assert result.stderr.splitlines()[0] == f"::add-mask::{SECRET}"
    assert SECRET in masked_values(result.stderr)
    assert SECRET not in result.stdout
    assert [line for line in result.stderr.splitlines() if SECRET in line] == [f"::add-mask::{SECRET}"]
    no_key_in(result, key)


def test_indexkey_encrypted_file_decrypts_with_acct_to_the_same_data(sandbox):
    data = {"indexkey": {"ci": {"index_url": "https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/",
                                "azure_client_secret": "s3cr:et #not a comment", "retries": 3,
                                "enabled": True, "ratio": 0.5, "nothing": None, "quoted": "123",
                                "when": "2026-01-31",
                                "google_application_credentials": '{"type": "service_account"}\n'}},
            "aws": {"default": {"regions": ["eu-west-1", "us-east-1"]}}}
    plain = write_yaml(sandbox.work / "mine.yml", data)
    sandbox.leaks.add_input(plain)
    result = sandbox.run(["profiles", "encrypt", str(plain)], {})
    assert result.code == 0, result
    key = result.stdout.strip()
    encrypted = Path(str(plain) + ".fernet")
    assert stat.S_IMODE(encrypted.stat().st_mode) == 0o600
    assert acct_decrypt(encrypted, key) == data
    # --key-from-env reuses ACCT_KEY and prints nothing.
    again = sandbox.run(["profiles", "encrypt", str(plain), "--key-from-env", "--output", str(sandbox.work / "b.fernet")],
                        {"ACCT_KEY": key})
    assert again.code == 0 and again.stdout == "", again
    assert acct_decrypt(sandbox.work / "b.fernet", key) == data


@pytest.mark.parametrize("plugin", ["fernet over json", "aesgcm256 over msgpack"])
def test_acct_files_of_its_other_plugins_are_read(sandbox, plugin):
    data = {"indexkey": {"a": {"index_url": "https://x.example/simple/"}, "b": {"index_url": ["https://y.example/simple/"]}}}
    plain = write_yaml(sandbox.work / "p.yml", data)
    if plugin == "fernet over json":
        key = Fernet.generate_key().decode()
        path = acct_encrypt_json_serial(plain, key)
    else:
        key = acct_encrypt(plain, "--crypto-plugin", "aesgcm256")
        path = Path(str(plain) + ".aesgcm256")
    plain.unlink()
    sandbox.leaks.add_input(path)
    result = sandbox.run(["profiles", "list", str(path)], {"ACCT_KEY": key})
    assert result.code == 0, result
    assert result.stdout == "a\thttps://x.example/simple/\nb\thttps://y.example/simple/\n"
    out = sandbox.work / "out.yml"
    result = sandbox.run(["profiles", "decrypt", str(path), "--output", str(out)], {"ACCT_KEY": key})
    assert result.code == 0, result
    assert yaml.safe_load(out.read_text()) == data
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_decrypt_writes_a_0600_file_and_prints_only_with_show_secrets(sandbox, acct_file):
    path, key = acct_file
    # The decrypted file is where the secrets are meant to go: this run is checked by hand.
    result = run_binary(["profiles", "decrypt", str(path)], {"ACCT_KEY": key}, sandbox.home)
    assert result.code == 0, result
    assert result.stdout == "" and SECRET not in result.stderr and key not in result.stderr
    out = sandbox.work / "profiles.yml"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert yaml.safe_load(out.read_text()) == acct_decrypt(path, key)
    sandbox.leaks.add_input(out)
    again = sandbox.run(["profiles", "decrypt", str(path)], {"ACCT_KEY": key})
    assert again.code == 2 and "will not overwrite" in again.stderr, again
    shown = run_binary(["profiles", "decrypt", str(path), "--show-secrets"], {"ACCT_KEY": key}, sandbox.home)
    assert shown.code == 0, shown
    assert yaml.safe_load(shown.stdout) == acct_decrypt(path, key)


def test_list_prints_names_and_urls_never_a_value(sandbox, acct_file):
    path, key = acct_file
    result = sandbox.run(["profiles", "list"], {"ACCT_FILE": str(path), "ACCT_KEY": key})
    assert result.code == 0, result
    assert result.stdout == f"main\t{sandbox.index_url()}\nmirror\t{sandbox.index_url(feed='mirror')}\n"
    assert CLIENT_ID not in result.stdout


def leftovers(root: Path) -> list[Path]:
    return sorted(root.glob("indexkey-edit-*"))


def test_edit_reencrypts_and_always_removes_the_copy(sandbox, acct_file):
    path, key = acct_file
    runtime = sandbox.root / "runtime"
    runtime.mkdir(mode=0o700)
    editor = sandbox.work / "editor.sh"
    editor.write_text('#!/bin/sh\nls -ld "$(dirname "$1")" > "$LOG"; ls -l "$1" >> "$LOG"\n'
                      'sed -i "s/^  main:/  renamed:/" "$1"\n')
    editor.chmod(0o700)
    env = {"ACCT_KEY": key, "EDITOR": str(editor), "XDG_RUNTIME_DIR": str(runtime), "LOG": str(sandbox.root / "log")}
    result = sandbox.run(["profiles", "edit", str(path)], env)
    assert result.code == 0, result
    modes = (sandbox.root / "log").read_text().splitlines()
    assert modes[0].startswith("drwx------") and modes[1].startswith("-rw-------")
    assert leftovers(runtime) == []
    assert set(acct_decrypt(path, key)["indexkey"]) == {"renamed", "mirror"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sandbox.leaks.add_input(path)
    before = path.read_bytes()
    for failing in ("exit 3", 'printf "just text" > "$1"'):
        editor.write_text(f"#!/bin/sh\n{failing}\n")
        result = sandbox.run(["profiles", "edit", str(path)], env)
        assert result.code == 2, result
        assert len(result.stderr.strip().splitlines()) == 1
        assert "left unchanged" in result.stderr
        assert path.read_bytes() == before
        assert leftovers(runtime) == []


def files_under(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def refused(sandbox, args, env, *needles):
    before = files_under(sandbox.root)
    result = sandbox.run(args, env)
    assert result.code == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("indexkey: error: "), result
    for needle in needles:
        assert needle in lines[0], result
    assert result.stdout == ""
    assert files_under(sandbox.root) == before, "nothing may be written"
    return lines[0]


def test_a_wrong_or_malformed_key_is_refused(sandbox, acct_file):
    path, key = acct_file
    args = ["login", "--profile", "main", "--write", "shell"]
    refused(sandbox, args, {"ACCT_FILE": str(path), "ACCT_KEY": Fernet.generate_key().decode()},
            "signature does not match")
    refused(sandbox, args, {"ACCT_FILE": str(path), "ACCT_KEY": key[:-2]}, "not a Fernet key")
    refused(sandbox, args, {"ACCT_FILE": str(path)}, "ACCT_KEY")


def test_damaged_tokens_are_refused_like_cryptography_refuses_them(sandbox, acct_file):
    path, key = acct_file
    for what, token in damaged_tokens(path.read_bytes()).items():
        assert fernet_refuses(token, key), what
        damaged = sandbox.work / "damaged.fernet"
        damaged.write_bytes(token)
        sandbox.leaks.add_input(damaged)
        line = refused(sandbox, ["login", "--profile", "main"], {"ACCT_FILE": str(damaged), "ACCT_KEY": key},
                       str(damaged))
        if what == "wrong version byte":
            assert "version byte is 0x81" in line


def test_a_document_that_is_not_a_mapping_is_refused(sandbox):
    plain = sandbox.write_input("list.yml", "- just\n- a list\n")
    refused(sandbox, ["profiles", "encrypt", str(plain)], {}, "not a mapping")
    broken = sandbox.write_input("broken.yml", "indexkey: [unclosed\n")
    refused(sandbox, ["profiles", "encrypt", str(broken)], {}, "not valid YAML")


def test_an_unknown_profile_lists_the_known_names(sandbox, acct_file):
    path, key = acct_file
    refused(sandbox, ["login", "--profile", "nope"], {"ACCT_FILE": str(path), "ACCT_KEY": key},
            "no indexkey profile 'nope'", "it has: main, mirror")


@pytest.mark.parametrize("missing, named", [("index_url", "index_url"), ("azure_tenant_id", "azure_tenant_id")])
def test_an_incomplete_profile_names_the_missing_key(emu, sandbox, missing, named):
    profile = feed_profile(sandbox)
    del profile[missing]
    plain = write_yaml(sandbox.work / "p.yml", {"indexkey": {"main": profile}})
    key = acct_encrypt(plain)
    plain.unlink()
    path = Path(str(plain) + ".fernet")
    sandbox.leaks.add_input(path)
    refused(sandbox, ["login", "--profile", "main", "--write", "shell"], {"ACCT_FILE": str(path), "ACCT_KEY": key},
            named, "'main'")


def test_doctor_examines_a_profile(emu, sandbox, acct_file):
    path, key = acct_file
    env = {"ACCT_FILE": str(path), "ACCT_KEY": key}
    result = sandbox.run(["doctor", "--profile", "main", "--offline"], env)
    assert sandbox.index_url() in result.stdout, result
    assert "AZURE_CLIENT_SECRET" in result.stdout, result
    no_key_in(result, key)
    several = sandbox.run(["doctor", "--profile", "main", "--profile", "mirror"], env)
    assert several.code == 2 and "one profile at a time" in several.stderr, several
