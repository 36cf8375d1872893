"""Reading the CI examples (ci-examples/, action.yml, templates/) the way each CI would:
which schema a file follows, the `indexkey` command lines its jobs run, and the environment
each of those lines runs in (the job's variables, with the CI's expressions resolved).

Nothing here runs anything; test_ci_examples.py does, against the emulator.
"""

from __future__ import annotations

import copy
import re
import shlex
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import yaml

from harness import option_values

from harness import REPO_ROOT

EXAMPLES = REPO_ROOT / "ci-examples"
ACTION = REPO_ROOT / "action.yml"
GITLAB_TEMPLATE = REPO_ROOT / "templates" / "indexkey.gitlab-ci.yml"
RELEASE_WORKFLOW = REPO_ROOT / ".github" / "workflows" / "release.yml"

# CI kind of each example folder, and the check-jsonschema builtin schema (and data
# transform) its files follow. The Azure Pipelines schema's patterns are .NET regular
# expressions that the default (ECMAScript) engine rejects, hence Python's for it.
FOLDERS = {
    "github": ("github", "vendor.github-workflows", None),
    "gitlab": ("gitlab", "vendor.gitlab-ci", "gitlab-ci"),
    "azure-pipelines": ("azure-pipelines", "vendor.azure-pipelines", "azure-pipelines"),  # + python regexes
    "buildkite": ("buildkite", "vendor.buildkite", None),
    "circleci": ("circleci", "vendor.circle-ci", None),
    "bitbucket": ("bitbucket", "vendor.bitbucket-pipelines", None),
}
OTHER_SCHEMAS = {ACTION: ("vendor.github-actions", None), GITLAB_TEMPLATE: ("vendor.gitlab-ci", "gitlab-ci"),
                 RELEASE_WORKFLOW: ("vendor.github-workflows", None)}


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".yml", ".yaml"))


def ci_of(path: Path) -> str:
    if path == RELEASE_WORKFLOW:
        return "github"
    return FOLDERS[path.relative_to(EXAMPLES).parts[0]][0]


def schema_groups() -> dict[tuple[str, Optional[str]], list[Path]]:
    """{(builtin schema, data transform): files} for every file the repository ships."""
    groups: dict[tuple[str, Optional[str]], list[Path]] = {}
    for path in example_files():
        _, schema, transform = FOLDERS[path.relative_to(EXAMPLES).parts[0]]
        groups.setdefault((schema, transform), []).append(path)
    for path, key in OTHER_SCHEMAS.items():
        groups.setdefault(key, []).append(path)
    return groups


def load_yaml(path: Path) -> Any:
    data = yaml.safe_load(path.read_text())
    if isinstance(data, dict) and True in data:  # YAML 1.1 reads GitHub's `on:` as a boolean
        data["on"] = data.pop(True)
    return data


# -- what indexkey offers ---------------------------------------------------------
@dataclass
class Capabilities:
    """What this build's `indexkey login --help` lists: flags, registries, outputs."""

    flags: set[str]
    registries: set[str]
    sinks: set[str]

    @classmethod
    def of(cls, binary: Path) -> "Capabilities":
        text = subprocess.run([str(binary), "login", "--help"], capture_output=True, text=True,
                              timeout=30, check=True).stdout
        flags = set(re.findall(r"(?<![\w-])--([a-z0-9][a-z0-9-]*)", text))
        registries: set[str] = set()
        paragraph = _option_paragraph(text, "--registry")
        registries |= set(re.findall(r"[a-z0-9][a-z0-9-]*", paragraph.split("(", 1)[-1]))
        # "--write <write>  Outputs, comma-separated, each NAME[=PATH]: github-env, pypirc, shell."
        outputs = re.sub(r"\s+", " ", _option_paragraph(text, "--write")).split("NAME[=PATH]:", 1)[-1]
        sinks = set(re.findall(r"[a-z0-9][a-z0-9-]*", outputs.split(".", 1)[0]))
        return cls(flags, registries, sinks)

    def missing(self, args: list[str], registries: Iterable[str], sinks: Iterable[str]) -> list[str]:
        """What `args` need that this build lacks, as phrases ("registry jfrog")."""
        gaps = [f"registry {r}" for r in registries if r not in self.registries]
        gaps += [f"flag --{f}" for f in dict.fromkeys(flag_names(args)) if f not in self.flags]
        gaps += [f"output {s}" for s in sinks if s not in self.sinks]
        return gaps


def _option_paragraph(text: str, option: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):  # the option's own line: two spaces, the option, its value
        if re.match(rf"  {re.escape(option)}( <[^>]+>)?( |$)", line):
            out = [line]
            for more in lines[i + 1:]:
                if not more.strip() or more.lstrip().startswith("-") or not more.startswith(" "):
                    break
                out.append(more)
            return " ".join(out)
    return ""


def flag_names(args: list[str]) -> list[str]:
    return [a[2:].split("=", 1)[0] for a in args if a.startswith("--") and len(a) > 2]


def positional_urls(args: list[str]) -> list[str]:
    """The URL arguments of `login ARGS` (every value that is not an option or its value)."""
    urls, skip = [], False
    valueless = {"--dry-run", "--extra", "--json", "--show-secrets", "--gcp-key-as-password",
                 "--azure-certificate-rs256", "--no-cache", "--help", "-h", "--version"}
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = "=" not in arg and arg not in valueless
        elif "://" in arg:
            urls.append(arg)
    return urls


def sinks_of(args: list[str]) -> list[str]:
    return [item.split("=", 1)[0].strip() for v in option_values(args, "--write")
            for item in v.split(",") if item.strip()]


# -- which registry an URL is ----------------------------------------------------
def registry_for(url: str) -> Optional[str]:
    """The registry indexkey recognises from the URL's host (DESIGN.md §6)."""
    parts = urllib.parse.urlsplit(url)
    host, path = parts.hostname or "", parts.path
    if host == "pkgs.dev.azure.com" or host.endswith(".pkgs.visualstudio.com"):
        return "azure-artifacts"
    if host.endswith("-python.pkg.dev"):
        return "google-artifact-registry"
    if re.fullmatch(r".+-\d{12}\.d\.codeartifact\.[a-z0-9-]+\.amazonaws\.com", host):
        return "aws-codeartifact"
    if host == "libraries.cgr.dev":
        return "chainguard"
    if host in ("pypi.org", "upload.pypi.org", "test.pypi.org"):
        return "pypi"
    if "/artifactory/api/pypi/" in path:
        return "jfrog"
    if re.search(r"/api/v4/(projects/[^/]+|groups/[^/]+/-)/packages/pypi", path):
        return "gitlab"
    return None


# -- shell lines that run indexkey -------------------------------------------------
_INVOKES = re.compile(
    r"(?:^|[;&|(`]|\$\(|\bthen\b|\bdo\b)\s*"
    r"(?:[A-Za-z_][A-Za-z0-9_]*=(?:\"[^\"]*\"|'[^']*'|[^\s;&|()]*)\s+)*"
    r"(?:[^\s;&|()\"']*/)?indexkey(?:\s|$|\))")


def logical_lines(script: str) -> list[str]:
    """The script's lines, with backslash-newline continuations joined."""
    return script.replace("\\\n", " ").splitlines()


def indexkey_lines(script: str) -> list[str]:
    return [line.strip() for line in logical_lines(script)
            if not line.lstrip().startswith("#") and _INVOKES.search(line)]


# -- one command line an example runs -------------------------------------------
@dataclass
class CommandLine:
    file: Path
    where: str  # "job test, step 3"
    line: str
    env: dict[str, str]  # the job's variables, expressions resolved
    ci: str
    id_tokens: dict[str, list[str]] = field(default_factory=dict)  # GitLab: NAME -> audiences
    oidc: bool = False  # Bitbucket: the step has `oidc: true`
    environment: Optional[str] = None  # GitLab: the job's `environment:` (a claim of its ID tokens)

    def __str__(self) -> str:
        name = self.file.relative_to(REPO_ROOT) if self.file.is_relative_to(REPO_ROOT) else self.file
        return f"{name} ({self.where}): {self.line}"


class ExpressionError(ValueError):
    pass


Resolver = Callable[[str], str]


def substitute(text: Any, pattern: "re.Pattern[str]", resolve: Resolver) -> str:
    return pattern.sub(lambda m: resolve(m.group(1).strip()), str(text))


# GitHub Actions: ${{ expression }}
GITHUB_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")


def github_resolver(variables: dict[str, str], inputs: Optional[dict[str, str]] = None,
                    steps: Optional[dict[str, str]] = None) -> Resolver:
    def resolve(expr: str) -> str:
        m = re.fullmatch(r"(vars|secrets|inputs|steps|github|runner)\.([A-Za-z0-9_.-]+)", expr)
        if m and m.group(1) in ("vars", "secrets") and m.group(2) in variables:
            return variables[m.group(2)]
        if m and m.group(1) == "inputs" and inputs is not None and m.group(2) in inputs:
            return inputs[m.group(2)]
        if m and m.group(1) == "steps" and steps is not None and m.group(2) in steps:
            return steps[m.group(2)]
        if expr == "github.token":  # the job's own token, which no indexkey line uses
            return "ghs_job_token_placeholder"
        raise ExpressionError(f"the test does not know the value of ${{{{ {expr} }}}}")
    return resolve


def is_indexkey_action(uses: str) -> bool:
    return uses in (".", "./") or re.search(r"(^|/)indexkey@", uses) is not None


def github_commands(path: Path, variables: dict[str, str], wrapper: str) -> list[CommandLine]:
    doc = load_yaml(path)
    resolve = github_resolver(variables)
    base = {k: substitute(v, GITHUB_EXPRESSION, resolve) for k, v in (doc.get("env") or {}).items()}
    found = []
    for job_name, job in (doc.get("jobs") or {}).items():
        job_env = {**base, **{k: substitute(v, GITHUB_EXPRESSION, resolve) for k, v in (job.get("env") or {}).items()}}
        for n, step in enumerate(job.get("steps") or [], 1):
            env = {**job_env, **{k: substitute(v, GITHUB_EXPRESSION, resolve)
                                 for k, v in (step.get("env") or {}).items()}}
            where = f"job {job_name}, step {n}"
            if "run" in step:
                for line in indexkey_lines(substitute(step["run"], GITHUB_EXPRESSION, resolve)):
                    found.append(CommandLine(path, where, line, env, "github"))
            elif is_indexkey_action(step.get("uses", "")):
                given = {k: substitute(v, GITHUB_EXPRESSION, resolve) for k, v in (step.get("with") or {}).items()}
                found += action_commands(given, env, where, path, wrapper)
    return found


def action_commands(given: dict[str, str], env: dict[str, str], where: str, example: Path,
                    wrapper: str) -> list[CommandLine]:
    """The `indexkey` lines action.yml's login step runs for these inputs (none when the
    step's condition, index-urls given, is false)."""
    action = load_yaml(ACTION)
    declared = action.get("inputs") or {}
    unknown = set(given) - set(declared)
    if unknown:
        raise ExpressionError(f"{example.name} gives the action inputs it does not have: {sorted(unknown)}")
    inputs = {name: str(given.get(name, spec.get("default", ""))) for name, spec in declared.items()}
    login = next(s for s in action["runs"]["steps"] if s.get("id") == "login")
    if login.get("if") != "inputs.index-urls != ''":
        raise AssertionError("action.yml's login step condition changed; teach the test")
    if not inputs["index-urls"].strip():
        return []
    resolve = github_resolver({}, inputs, {"install.outputs.path": wrapper})
    step_env = {k: substitute(v, GITHUB_EXPRESSION, resolve) for k, v in (login.get("env") or {}).items()}
    return [CommandLine(example, f"{where} (action.yml login step)", line, {**env, **step_env}, "github")
            for line in indexkey_lines(substitute(login["run"], GITHUB_EXPRESSION, resolve))]


# GitLab CI: $NAME and ${NAME} in variables
GITLAB_RESERVED = {"stages", "variables", "include", "default", "workflow", "image", "services",
                   "cache", "before_script", "after_script", "types", "pages"}
SHELL_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand_variables(text: Any, env: dict[str, str]) -> str:
    """GitLab's expansion of variables inside variables: known names replaced, others kept."""
    def one(m: "re.Match[str]") -> str:
        name = m.group(1) or m.group(2)
        return env.get(name, m.group(0))
    return SHELL_VARIABLE.sub(one, str(text))


def _deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = _deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(over)


def gitlab_document(path: Path) -> dict[str, Any]:
    """The pipeline with the indexkey template merged in where it is included."""
    doc = load_yaml(path)
    for item in _as_list(doc.get("include")):
        target = item if isinstance(item, str) else (item.get("file") or item.get("local") or "")
        if str(target).lstrip("/") == "templates/indexkey.gitlab-ci.yml":
            template = load_yaml(GITLAB_TEMPLATE)
            doc = {**template, **{k: v for k, v in doc.items() if k != "include"}}
        else:
            raise ExpressionError(f"{path.name} includes {target!r}, which the test cannot read")
    return doc


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def gitlab_job(doc: dict[str, Any], name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    job = doc[name]
    if name in seen:
        raise ExpressionError(f"extends loop at {name}")
    merged: dict[str, Any] = {}
    for parent in _as_list(job.get("extends")):
        merged = _deep_merge(merged, gitlab_job(doc, parent, seen + (name,)))
    return _deep_merge(merged, {k: v for k, v in job.items() if k != "extends"})


def _variable_value(value: Any) -> str:
    return str(value.get("value", "")) if isinstance(value, dict) else str(value)


def gitlab_commands(path: Path, variables: dict[str, str]) -> list[CommandLine]:
    doc = gitlab_document(path)
    found = []
    default = doc.get("default") or {}
    for name in doc:
        if name in GITLAB_RESERVED or name.startswith("."):
            continue
        job = gitlab_job(doc, name)
        if not isinstance(job, dict) or "script" not in job:
            continue
        env = dict(variables)
        for key, value in {**(doc.get("variables") or {}), **(job.get("variables") or {})}.items():
            env[key] = expand_variables(_variable_value(value), env)
        scripts = _as_list(job.get("before_script", default.get("before_script"))) + _as_list(job["script"])
        tokens = {token: [str(a) for a in _as_list(spec.get("aud"))]
                  for token, spec in (job.get("id_tokens") or {}).items()}
        environment = job.get("environment")
        if isinstance(environment, dict):
            environment = environment.get("name")
        for item in scripts:
            for line in indexkey_lines(str(item)):
                found.append(CommandLine(path, f"job {name}", line, env, "gitlab", id_tokens=tokens,
                                         environment=environment))
    return found


# Azure Pipelines: $(Name) macros
AZURE_MACRO = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.]*)\)")


def azure_commands(path: Path, variables: dict[str, str]) -> list[CommandLine]:
    doc = load_yaml(path)
    defined = dict(variables)
    declared = doc.get("variables") or {}
    items = declared.items() if isinstance(declared, dict) else (
        (v["name"], v.get("value", "")) for v in declared if isinstance(v, dict) and "name" in v)
    for key, value in items:
        defined[key] = str(value)

    def macro(m: "re.Match[str]") -> str:
        return defined.get(m.group(1), m.group(0))

    pipeline_env = {k.upper().replace(".", "_"): v for k, v in defined.items() if "." not in k}
    steps = list(doc.get("steps") or [])
    for job in doc.get("jobs") or []:
        steps += job.get("steps") or []
    for stage in doc.get("stages") or []:
        for job in stage.get("jobs") or []:
            steps += job.get("steps") or []
    found = []
    for n, step in enumerate(steps, 1):
        script = step.get("script", step.get("bash"))
        if script is None:
            continue
        env = {**pipeline_env, **{k: AZURE_MACRO.sub(macro, str(v)) for k, v in (step.get("env") or {}).items()}}
        for line in indexkey_lines(AZURE_MACRO.sub(macro, str(script))):
            found.append(CommandLine(path, f"step {n}", line, env, "azure-pipelines"))
    return found


def buildkite_commands(path: Path, variables: dict[str, str]) -> list[CommandLine]:
    doc = load_yaml(path)
    base = {**variables, **{k: str(v) for k, v in (doc.get("env") or {}).items()}}
    found = []
    for step in doc.get("steps") or []:
        if not isinstance(step, dict):
            continue
        env = {**base, **{k: str(v) for k, v in (step.get("env") or {}).items()}}
        for command in _as_list(step.get("commands", step.get("command"))):
            # `$$` is Buildkite's escape for a `$` left to the agent's shell
            for line in indexkey_lines(str(command).replace("$$", "$")):
                found.append(CommandLine(path, f"step {step.get('key') or step.get('label')}", line, env, "buildkite"))
    return found


def circleci_commands(path: Path, variables: dict[str, str]) -> list[CommandLine]:
    doc = load_yaml(path)
    found = []
    for name, job in (doc.get("jobs") or {}).items():
        job_env = {**variables, **{k: str(v) for k, v in (job.get("environment") or {}).items()}}
        for step in job.get("steps") or []:
            run = step.get("run") if isinstance(step, dict) else None
            if run is None:
                continue
            command = run if isinstance(run, str) else run.get("command", "")
            env = job_env if isinstance(run, str) else {
                **job_env, **{k: str(v) for k, v in (run.get("environment") or {}).items()}}
            for line in indexkey_lines(command):
                found.append(CommandLine(path, f"job {name}", line, env, "circleci"))
    return found


def bitbucket_commands(path: Path, variables: dict[str, str]) -> list[CommandLine]:
    doc = load_yaml(path)
    steps: list[dict[str, Any]] = []

    def collect(items: Any) -> None:
        for item in _as_list(items):
            if not isinstance(item, dict):
                continue
            if "step" in item:
                steps.append(item["step"])
            if "parallel" in item:
                parallel = item["parallel"]
                collect(parallel.get("steps") if isinstance(parallel, dict) else parallel)

    pipelines = doc.get("pipelines") or {}
    collect(pipelines.get("default"))
    for section in ("branches", "tags", "custom", "pull-requests", "bookmarks"):
        for items in (pipelines.get(section) or {}).values():
            collect(items)
    found = []
    for step in steps:
        for item in _as_list(step.get("script")):
            for line in indexkey_lines(str(item)):
                found.append(CommandLine(path, f"step {step.get('name')}", line, dict(variables), "bitbucket",
                                         oidc=bool(step.get("oidc"))))
    return found


def commands(path: Path, variables: dict[str, str], wrapper: str) -> list[CommandLine]:
    ci = ci_of(path)
    if ci == "github":
        return github_commands(path, variables, wrapper)
    return {"gitlab": gitlab_commands, "azure-pipelines": azure_commands, "buildkite": buildkite_commands,
            "circleci": circleci_commands, "bitbucket": bitbucket_commands}[ci](path, variables)


def quoted(args: list[str]) -> str:
    return shlex.join(args)
