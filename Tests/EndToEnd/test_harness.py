"""The suite's own helpers: the GITHUB_ENV parser and the leak check must be
right, or the end-to-end tests prove nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import (Canaries, GitHubEnvError, LeakCheck, Result, masked_values,
                     parse_github_env, quote_all)


class TestGitHubEnv:
    def test_forms(self):
        text = ("A=1\n"
                "\n"
                "B=x=y<<z\n"
                "C<<EOF\nline 1\nline=2\nEOF\n"
                "EMPTY=\n"
                "A=last wins\n"
                "D<<EOF\nEOF\n")
        assert parse_github_env(text) == {"A": "last wins", "B": "x=y<<z",
                                          "C": "line 1\nline=2", "EMPTY": "", "D": ""}

    def test_cr_stays_in_values_on_linux(self):
        assert parse_github_env("A=1\r\n") == {"A": "1\r"}
        with pytest.raises(GitHubEnvError, match="delimiter not found"):
            parse_github_env("A<<EOF\r\nx\r\nEOF\n")  # "EOF\r" is the delimiter

    def test_delimiter_is_everything_after_the_marker(self):
        assert parse_github_env("A<<EOF \nEOF\nEOF \n") == {"A": "EOF"}

    @pytest.mark.parametrize("text, message", [
        ("=1\n", "empty name"),
        ("A<<\nx\n", "empty name or delimiter"),
        ("JUSTTEXT\n", "Invalid format"),
        ("A<<EOF\nx\n", "delimiter not found"),
        ("A<<EOF\nx", "EOF marker missing new line"),
    ])
    def test_errors(self, text, message):
        with pytest.raises(GitHubEnvError, match=message):
            parse_github_env(text)

    def test_last_line_without_newline(self):
        assert parse_github_env("A=1") == {"A": "1"}
        assert parse_github_env("A<<EOF\nx\nEOF") == {"A": "x"}


def test_masked_values_are_unescaped():
    stderr = "note\n::add-mask::a%25b%0Ac\n  ::add-mask::plain\n"
    assert masked_values(stderr) == ["a%b\nc", "plain"]


class TestLeakCheck:
    TOKEN = "tok/en+1%"
    JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlZ21lbnQ"

    def check(self, tmp_path: Path, stdout="", stderr="", args=(), files=None, env=None):
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        github_env = tmp_path / "github_env"
        github_env.touch()
        for name, content in (files or {}).items():
            (tmp_path / name).write_text(content)
        full_env = {"HOME": str(home), "GITHUB_ENV": str(github_env), "GITHUB_ACTIONS": "true",
                    **(env or {})}
        result = Result(["login", "url", *args], 0, stdout, stderr, 0.0, full_env)
        return LeakCheck(tmp_path).check(result, Canaries({self.JWT, "req-token"}, {self.TOKEN}))

    def test_clean_run(self, tmp_path):
        enc = quote_all(self.TOKEN)
        problems = self.check(
            tmp_path, args=["--write", "github-env,pypirc,shell"],
            stdout=f"export PIP_INDEX_URL='http://u:{enc}@h/simple/'\n",
            stderr=f"::add-mask::{self.TOKEN.replace('%', '%25')}\n::add-mask::{enc.replace('%', '%25')}\n",
            files={"github_env": f"PIP_INDEX_URL=http://EntraToken:{enc}@h/simple/\n",
                   "home/.pypirc": f"[feed]\npassword = {self.TOKEN}\n"})
        assert problems == []

    @pytest.mark.parametrize("where", ["stdout", "stderr", "file"])
    def test_oidc_token_anywhere(self, tmp_path, where):
        text = f"using {self.JWT}\n"
        kw = {"files": {"log.txt": text}} if where == "file" else {where: text}
        assert self.check(tmp_path, **kw)

    def test_signature_segment_alone(self, tmp_path):
        assert self.check(tmp_path, stderr="sig " + self.JWT.rsplit(".", 1)[1])

    def test_access_token_outside_sinks(self, tmp_path):
        assert self.check(tmp_path, stderr=f"got token {self.TOKEN}\n")
        assert self.check(tmp_path, stdout=f"export X='{self.TOKEN}'\n")  # shell not asked for
        assert self.check(tmp_path, args=["--write", "shell"], stdout=f"echo {self.TOKEN}\n")
        assert self.check(tmp_path, files={"stray": self.TOKEN})
        assert self.check(tmp_path, args=["--write", "github-env"],
                          files={"github_env": f"PIP_INDEX_URL=http://u:{self.TOKEN}@h/\n"})
        assert self.check(tmp_path, args=["--write", "pypirc"],
                          files={"home/.pypirc": f"[feed]\nusername = {self.TOKEN}\n"})
        assert self.check(tmp_path, args=["--write", "shell", "--dry-run"],
                          stdout=f"export X='{self.TOKEN}'\n")

    def test_basic_header_form(self, tmp_path):
        import base64
        basic = base64.b64encode(f"EntraToken:{self.TOKEN}".encode()).decode()
        assert self.check(tmp_path, stderr=f"Authorization: Basic {basic}\n")

    def test_unchanged_input_files_are_allowed(self, tmp_path):
        token_file = tmp_path / "id.jwt"
        token_file.write_text(self.JWT)
        check = LeakCheck(tmp_path)
        check.add_input(token_file)
        home = tmp_path / "home"
        home.mkdir()
        result = Result(["login"], 0, "", "", 0.0, {"HOME": str(home)})
        assert check.check(result, Canaries({self.JWT}, set())) == []
        token_file.write_text(self.JWT + "\nappended")
        assert check.check(result, Canaries({self.JWT}, set()))
