"""The .pypirc sink: merge into an existing file without touching anything else."""

from __future__ import annotations

import configparser
import os
import stat
from pathlib import Path

from harness import USERNAME, login_args

# Other sections, comments, CRLF on some lines, and no newline at the end.
EXISTING = (
    b"# written by hand\r\n"
    b"[distutils]\r\n"
    b"index-servers =\r\n"
    b"    pypi\r\n"
    b"    private\r\n"
    b"\n"
    b"; PyPI itself\n"
    b"[pypi]\n"
    b"username = __token__\r\n"
    b"password = pypi-placeholder-not-a-token\n"
    b"\n"
    b"[private]\n"
    b"repository = https://private.example/legacy/\n"
    b"username = me\n"
    b"password = 100%-hunter2"
)

# The same, with a stale [feed] section in the middle that must be replaced in place.
EXISTING_WITH_FEED = (
    b"[distutils]\n"
    b"index-servers =\r\n"
    b"    pypi\r\n"
    b"    feed\r\n"
    b"    private\r\n"
    b"\n"
    b"[pypi]\r\n"
    b"username = __token__\r\n"
    b"\r\n"
    b"# the feed, from last week\n"
    b"[feed]\n"
    b"repository = https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/\n"
    b"username = EntraToken\n"
    b"password = stale-value\n"
    b"\n"
    b"[private]\n"
    b"; keep me\n"
    b"repository = https://private.example/legacy/\n"
    b"username = me"
)


def _is_header(line: bytes) -> bool:
    s = line.strip()
    return s.startswith(b"[") and s.endswith(b"]")


def _without(data: bytes, section: str) -> list[bytes]:
    """Lines (with their endings) minus `section` and the blank lines just before it,
    minus the index-servers entry (its key line and continuation lines)."""
    out: list[bytes] = []
    skipping = in_servers = False
    for line in data.splitlines(keepends=True):
        if _is_header(line):
            skipping = line.strip()[1:-1].strip() == section.encode()
            if skipping:
                while out and not out[-1].strip():
                    out.pop()
        if skipping:
            continue
        if in_servers and line[:1] in (b" ", b"\t") and line.strip():
            continue
        in_servers = line.split(b"=")[0].strip().lower() == b"index-servers"
        if in_servers:
            continue
        out.append(line)
    return out


def _index_servers(path: Path) -> list[str]:
    config = configparser.RawConfigParser()
    config.read(path, encoding="utf-8")
    return config.get("distutils", "index-servers").split()


def assert_only_feed_changed(before: bytes, after: bytes) -> None:
    old, new = _without(before, "feed"), _without(after, "feed")
    assert len(old) == len(new), (old, new)
    if not before.endswith((b"\n", b"\r")):
        # the last line may gain a line end when a section is appended after it
        assert new[-1].rstrip(b"\r\n") == old[-1]
        old, new = old[:-1], new[:-1]
    for a, b in zip(old, new):
        assert a == b, f"line changed: {a!r} -> {b!r}"


def assert_feed_section(path: Path, sandbox, token: str) -> None:
    config = configparser.RawConfigParser()
    config.read(path, encoding="utf-8")
    assert dict(config["feed"]) == {"repository": sandbox.upload_url(), "username": USERNAME,
                                    "password": token}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_file_is_merged_byte_for_byte(emu, sandbox, dist):
    pypirc = sandbox.home / ".pypirc"
    pypirc.write_bytes(EXISTING)
    pypirc.chmod(0o644)
    result = sandbox.run(login_args(sandbox, "--write", "pypirc"), sandbox.github_runner_env())
    assert result.code == 0, result
    after = pypirc.read_bytes()
    assert_only_feed_changed(EXISTING, after)
    assert _index_servers(pypirc) == ["pypi", "private", "feed"]
    assert_feed_section(pypirc, sandbox, emu.entra.issued[0])
    config = configparser.RawConfigParser()
    config.read(pypirc, encoding="utf-8")
    assert config["private"]["password"] == "100%-hunter2"
    proc = sandbox.twine_upload("feed", pypirc, [dist])  # the merged file works for twine
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_existing_feed_section_is_replaced_in_place(emu, sandbox):
    pypirc = sandbox.home / ".pypirc"
    pypirc.write_bytes(EXISTING_WITH_FEED)
    pypirc.chmod(0o600)
    result = sandbox.run(login_args(sandbox, "--write", "pypirc"), sandbox.github_runner_env())
    assert result.code == 0, result
    after = pypirc.read_bytes()
    assert b"stale-value" not in after
    assert_only_feed_changed(EXISTING_WITH_FEED, after)
    assert _index_servers(pypirc) == ["pypi", "feed", "private"]
    # the replacement stays where the old section was: between [pypi] and [private]
    headers = [line.strip() for line in after.splitlines() if _is_header(line)]
    assert headers == [b"[distutils]", b"[pypi]", b"[feed]", b"[private]"]
    assert after.endswith(b"username = me")
    assert_feed_section(pypirc, sandbox, emu.entra.issued[0])


def test_second_login_replaces_the_first(emu, sandbox):
    for _ in range(2):
        result = sandbox.run(login_args(sandbox, "--write", "pypirc"), sandbox.github_runner_env())
        assert result.code == 0, result
    pypirc = sandbox.home / ".pypirc"
    assert pypirc.read_text().count("[feed]") == 1
    assert _index_servers(pypirc) == ["feed"]
    assert_feed_section(pypirc, sandbox, emu.entra.issued[1])


def test_pypirc_path_option(emu, sandbox):
    target = sandbox.work / "ci" / "pypirc"
    target.parent.mkdir()
    result = sandbox.run(login_args(sandbox, "--write", "pypirc", "--pypirc", str(target)),
                         sandbox.github_runner_env())
    assert result.code == 0, result
    assert not (sandbox.home / ".pypirc").exists()
    assert_feed_section(target, sandbox, emu.entra.issued[0])


def test_symlinked_pypirc_is_refused(emu, sandbox):
    real = sandbox.work / "real-pypirc"
    real.write_bytes(EXISTING)
    real.chmod(0o644)
    link = sandbox.home / ".pypirc"
    link.symlink_to(real)
    result = sandbox.run(login_args(sandbox, "--write", "pypirc"), sandbox.github_runner_env())
    assert result.code == 6, result
    assert ".pypirc" in result.stderr
    assert real.read_bytes() == EXISTING
    assert stat.S_IMODE(real.stat().st_mode) == 0o644
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert sorted(p.name for p in sandbox.home.iterdir()) == [".pypirc"]  # no temp files left


def test_a_line_break_in_the_index_url_injects_nothing(emu, sandbox):
    """A URL with CR/LF (from a config file or a variable) would have added a section to
    .pypirc holding the username and password; it is refused when the URL is read."""
    password = "canary-pw-" + os.urandom(6).hex()
    for url in ["https://pypi.example.test/simple/\n[server-login]\nrepository = https://evil.example/",
                "https://pypi.example.test/simple/%0A\r\n[server-login]"]:
        result = sandbox.run(["login", url, "--registry", "basic", "--write", "pypirc"],
                             {"INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD": password})
        assert result.code == 2, result
        assert "line break or another control character" in result.stderr, result
        assert "[server-login]" not in result.stderr
        assert not (sandbox.home / ".pypirc").exists()


def test_odd_bytes_and_a_byte_order_mark_are_kept(emu, sandbox):
    existing = (b"\xef\xbb\xbf[distutils]\nindex-servers =\n    pypi\n\n"
                b"# caf\xe9, written in Latin-1 \xff\n[pypi]\nusername = __token__\n")
    pypirc = sandbox.home / ".pypirc"
    pypirc.write_bytes(existing)
    result = sandbox.run(login_args(sandbox, "--write", "pypirc"), sandbox.github_runner_env())
    assert result.code == 0, result
    after = pypirc.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf[distutils]\nindex-servers =\n    pypi\n    feed\n\n"
                            b"# caf\xe9, written in Latin-1 \xff\n[pypi]\nusername = __token__\n")
    assert after.count(b"[distutils]") == 1
    config = configparser.RawConfigParser()
    config.read_string(after.decode("utf-8-sig", "surrogateescape"))  # configparser, as twine uses it
    assert config["distutils"]["index-servers"].split() == ["pypi", "feed"]
    assert config["feed"]["password"] == emu.entra.issued[0]


def test_a_file_that_is_not_ini_is_refused_and_left_alone(emu, sandbox):
    pypirc = sandbox.home / ".pypirc"
    for existing in (bytes(range(256)) * 4, b"TODO: ask ops for the upload password\n"):
        pypirc.write_bytes(existing)
        result = sandbox.run(login_args(sandbox, "--write", "pypirc"), sandbox.github_runner_env())
        assert result.code == 6, result
        assert f"Refusing to change {pypirc}: it is not an INI file" in result.stderr
        assert "ask ops" not in result.stderr
        assert pypirc.read_bytes() == existing
