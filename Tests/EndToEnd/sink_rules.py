"""Where each `--write` output may hold an issued access token, line by line.

The leak check (harness.LeakCheck) allows an access token only in a line that a sink
that was asked for writes, in the form that sink writes it: a password variable holds
the raw token, an index URL holds it percent-encoded as the password, a netrc entry
holds it after `password`, an Azure Pipelines variable holds it only with
`issecret=true`, the JSON report only under "password" and only with --show-secrets.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import urllib.parse
from pathlib import Path
from typing import Callable, Optional

Rule = Callable[[str, str], bool]  # (line, token) -> allowed?

MASK_PREFIXES = ("::add-mask::", "##vso[task.setsecret]")

PASSWORD_VARIABLE = re.compile(
    r"UV_INDEX_[A-Z0-9_]+_PASSWORD|UV_PUBLISH_PASSWORD|TWINE_PASSWORD"
    r"|POETRY_HTTP_BASIC_[A-Z0-9_]+_PASSWORD|PDM_PYPI_PASSWORD|PDM_PUBLISH_PASSWORD"
    r"|POETRY_PYPI_TOKEN_[A-Z0-9_]+|HATCH_INDEX_AUTH")
URL_VARIABLES = {"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"}
NAME = r"[A-Za-z_][A-Za-z0-9_]*"


def quote_all(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def urls_ok(value: str, token: str) -> bool:
    """Space-separated URLs; the token only as the percent-encoded password of one."""
    encoded = quote_all(token)
    for item in value.split():
        if token not in item and encoded not in item:
            continue
        if token != encoded and token in item:
            return False
        if not re.match(r"[a-z]+://[^:/@\s]+:" + re.escape(encoded) + "@", item):
            return False
    return True


def variable_ok(name: str, value: str, token: str) -> bool:
    if PASSWORD_VARIABLE.fullmatch(name):
        return value == token
    if name in URL_VARIABLES:
        return urls_ok(value, token)
    return False


def env_file_line(line: str, token: str) -> bool:
    """`NAME=VALUE` (GITHUB_ENV, GITHUB_OUTPUT)."""
    m = re.fullmatch(f"({NAME})=(.*)", line)
    return m is not None and variable_ok(m.group(1), m.group(2), token)


def export_line(line: str, token: str) -> bool:
    """POSIX `export NAME='VALUE'` (shell, GitLab env file)."""
    if not re.match(f"export {NAME}=", line):
        return False
    try:
        words = shlex.split(line)
    except ValueError:
        return False
    if len(words) != 2:
        return False
    name, _, value = words[1].partition("=")
    return variable_ok(name, value, token)


def fish_line(line: str, token: str) -> bool:
    m = re.fullmatch(f"set -gx ({NAME}) '((?:[^'\\\\]|\\\\.)*)'", line)
    if not m:
        return False
    value = re.sub(r"\\(.)", r"\1", m.group(2))
    return variable_ok(m.group(1), value, token)


def powershell_line(line: str, token: str) -> bool:
    m = re.fullmatch(f"\\$env:({NAME}) = '((?:[^']|'')*)'", line)
    return m is not None and variable_ok(m.group(1), m.group(2).replace("''", "'"), token)


def azure_line(line: str, token: str) -> bool:
    """`##vso[task.setvariable variable=NAME;issecret=true]DATA`: a token only in a secret variable."""
    m = re.fullmatch(f"##vso\\[task\\.setvariable variable=({NAME});issecret=true\\](.*)", line)
    if not m:
        return False
    value = m.group(2).replace("%0D", "\r").replace("%0A", "\n").replace("%AZP25", "%")
    return variable_ok(m.group(1), value, token)


def json_report_line(line: str, token: str) -> bool:
    """The --json report: the token only as an index's "password"."""
    try:
        doc = json.loads(line)
    except ValueError:
        return False
    for index in doc.get("indexes", []):
        if index.get("password") == token:
            index.pop("password")
    return token not in json.dumps(doc) and quote_all(token) not in json.dumps(doc)


def pip_conf_line(line: str, token: str) -> bool:
    line = line.rstrip("\r")
    m = re.fullmatch(r"(index-url|extra-index-url)\s*=\s*(.*)", line)
    if m:
        return urls_ok(m.group(2), token)
    return line[:1] in (" ", "\t") and urls_ok(line.strip(), token)


def netrc_line(line: str, token: str) -> bool:
    words = line.split("#", 1)[0].split()
    return (len(words) == 6 and words[0] == "machine" and words[2] == "login"
            and words[4] == "password" and words[5] == token)


def mask_line(line: str, token: str) -> bool:
    return line.lstrip().startswith(MASK_PREFIXES)


STDOUT_RULES: dict[str, Rule] = {
    "shell": export_line, "fish": fish_line, "powershell": powershell_line,
    "azure-pipelines": azure_line,
}


def requested(args: list[str]) -> dict[str, Optional[str]]:
    """`--write` items as {sink: PATH or None}."""
    out: dict[str, Optional[str]] = {}
    for i, arg in enumerate(args):
        value = args[i + 1] if arg == "--write" and i + 1 < len(args) else (
            arg[len("--write="):] if arg.startswith("--write=") else None)
        for item in (value or "").split(","):
            name, _, path = item.strip().partition("=")
            if name:
                out[name] = path or None
    return out


def file_rules(args: list[str], env: dict[str, str]) -> dict[Path, Rule]:
    """The files the requested sinks write, each with the rule for its lines."""
    if "--dry-run" in args:
        return {}
    sinks = requested(args)
    if not sinks and env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_ENV"):
        sinks = {"github-env": None}
    home = Path(env["HOME"])
    out: dict[Path, Rule] = {}

    def add(path: Optional[str], rule: Rule) -> None:
        if path:
            p = Path(os.path.expanduser(path.replace("~", str(home), 1) if path.startswith("~") else path))
            out[p.resolve() if p.parent.exists() else p] = rule

    for name, path in sinks.items():
        if name == "github-env":
            add(path or env.get("GITHUB_ENV"), env_file_line)
        elif name == "github-output":
            add(path or env.get("GITHUB_OUTPUT"), env_file_line)
        elif name == "gitlab-env":
            job = f"-{env['CI_JOB_ID']}" if env.get("CI_JOB_ID") else ""
            add(path or f"{env.get('TMPDIR') or '/tmp'}/indexkey{job}.env", export_line)
        elif name == "pip-conf":
            default = f"{env.get('XDG_CONFIG_HOME') or home / '.config'}/pip/pip.conf"
            add(path or env.get("PIP_CONFIG_FILE") or default, pip_conf_line)
        elif name == "netrc":
            add(path or env.get("NETRC") or str(home / ".netrc"), netrc_line)
    return out


def stdout_rule(args: list[str]) -> Rule:
    if "--dry-run" in args:
        return lambda line, token: False
    if args and args[0] == "token":  # `indexkey token` prints the password alone
        return lambda line, token: line == token
    rules = [STDOUT_RULES[name] for name in requested(args) if name in STDOUT_RULES]
    if "--json" in args and "--show-secrets" in args:
        rules.append(json_report_line)
    return lambda line, token: any(rule(line, token) for rule in rules)
