"""GitLab's package registry with the job token, deploy and access tokens; static
credentials for any index (`--registry basic`) and Azure DevOps PATs."""

from __future__ import annotations

import pytest

from harness import login_args
from registry_harness import counts, rsandbox  # noqa: F401 (fixture)

FORWARDING = "forwards requests for packages its registry does not hold to pypi.org"


def project_url(emu, project: str = "42") -> str:
    return f"{emu.gitlab.api_url}/projects/{project}/packages/pypi"


def gitlab_job_env(emu, token: str) -> dict[str, str]:
    return {"GITLAB_CI": "true", "CI": "true", "CI_JOB_TOKEN": token,
            "CI_API_V4_URL": emu.gitlab.api_url, "CI_PROJECT_ID": "42"}


def test_job_token_install_and_twine_upload(emu, rsandbox, dist):
    job = emu.gitlab.start_job()
    result = rsandbox.run(["login", project_url(emu) + "/simple", "--write", "pypirc,shell"],
                          gitlab_job_env(emu, job))
    assert result.code == 0, result
    assert f"indexkey: warning: GitLab {FORWARDING}" in result.stderr
    assert emu.requests() == []  # nothing to exchange

    proc, target = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()
    section = rsandbox.pypirc()["gitlab-42"]
    assert dict(section) == {"repository": project_url(emu), "username": "gitlab-ci-token",
                             "password": job}
    proc = rsandbox.twine_upload("gitlab-42", rsandbox.home / ".pypirc", [dist])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dist.name in emu.index.packages()
    (upload,) = [r for r in emu.requests("gitlab") if r.method == "POST"]
    assert upload.path == "/api/v4/projects/42/packages/pypi" and upload.note["auth"] == "accepted"


def test_group_feed_installs_and_is_not_an_upload_target(emu, rsandbox):
    job = emu.gitlab.start_job()
    url = f"{emu.gitlab.api_url}/groups/octo%2Fgroup/-/packages/pypi/simple"
    result = rsandbox.run(["login", url, "--write", "pypirc,shell"], gitlab_job_env(emu, job))
    assert result.code == 0, result
    assert not (rsandbox.home / ".pypirc").exists()
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert counts(emu, "gitlab")[0] >= 2


@pytest.mark.parametrize("kind", ["deploy", "access"])
def test_deploy_and_access_tokens(emu, rsandbox, kind):
    if kind == "deploy":
        token = emu.gitlab.add_deploy_token("gitlab+deploy-token-7")
        env = {"CI_DEPLOY_USER": "gitlab+deploy-token-7", "CI_DEPLOY_PASSWORD": token,
               "CI_SERVER_HOST": "127.0.0.1"}
    else:
        token = emu.gitlab.add_access_token()
        env = {"GITLAB_TOKEN": token, "GITLAB_HOST": emu.gitlab.api_url}
    result = rsandbox.run(["login", project_url(emu) + "/simple/", "--write", "shell"], env)
    assert result.code == 0, result
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_finished_jobs_token_is_refused_by_the_registry(emu, rsandbox):
    job = emu.gitlab.start_job()
    result = rsandbox.run(["login", project_url(emu) + "/simple", "--write", "shell"],
                          gitlab_job_env(emu, job))
    assert result.code == 0, result
    emu.gitlab.finish_job(job)
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode != 0
    assert {r.note.get("auth") for r in emu.requests("gitlab")} == {"refused"}


@pytest.mark.parametrize("command", ["login", "token"])
def test_a_token_is_never_handed_to_another_host(emu, rsandbox, command):
    job = emu.gitlab.start_job()
    evil = "https://attacker.example/api/v4/projects/1/packages/pypi/simple/"
    args = ["login", evil, "--write", "shell,pypirc"] if command == "login" else ["token", evil]
    result = rsandbox.run(args, gitlab_job_env(emu, job))
    assert result.code == 2, result
    assert result.stdout == "", result
    assert "Refusing to hand GitLab's job token (CI_JOB_TOKEN) to attacker.example: it is for 127.0.0.1" \
        in result.stderr, result
    assert not (rsandbox.home / ".pypirc").exists()
    assert emu.requests() == []


def test_an_access_token_outside_ci_is_for_gitlab_com_unless_gitlab_host_says_otherwise(emu, rsandbox):
    token = emu.gitlab.add_access_token()
    result = rsandbox.run(["login", project_url(emu) + "/simple/", "--write", "shell"], {"GITLAB_TOKEN": token})
    assert result.code == 2, result
    assert "to 127.0.0.1: it is for gitlab.com" in result.stderr and "GITLAB_HOST" in result.stderr, result


def test_no_token_is_a_usage_error(emu, rsandbox):
    result = rsandbox.run(["login", project_url(emu) + "/simple"], {})
    assert result.code == 2, result
    assert "CI_JOB_TOKEN" in result.stderr and "GITLAB_TOKEN" in result.stderr


def test_static_credentials_for_any_index(emu, rsandbox, dist):
    token = emu.gitlab.add_access_token()
    result = rsandbox.run(["login", project_url(emu) + "/simple/", "--registry", "basic",
                           "--write", "pypirc,shell"],
                          {"INDEXKEY_USERNAME": "release-bot", "INDEXKEY_PASSWORD": token})
    assert result.code == 0, result
    assert FORWARDING not in result.stderr
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    section = rsandbox.pypirc()["127-0-0-1"]  # the host, as a name every client accepts
    assert section["repository"] == project_url(emu) + "/"
    proc = rsandbox.twine_upload("127-0-0-1", rsandbox.home / ".pypirc", [dist])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_static_credentials_from_files(emu, rsandbox):
    token = emu.gitlab.add_access_token()
    user = rsandbox.write_input("user", "release-bot\n")
    password = rsandbox.write_input("password", token + "\n")
    result = rsandbox.run(["login", project_url(emu) + "/simple/", "--registry", "basic", "--write", "shell"],
                          {"INDEXKEY_USERNAME_FILE": str(user), "INDEXKEY_PASSWORD_FILE": str(password)})
    assert result.code == 0, result
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_azure_devops_pat(emu, rsandbox):
    """AZURE_DEVOPS_EXT_PAT is passed through as the password (the emulated feed
    accepts what its Entra issued; a PAT is as opaque to indexkey)."""
    secret = "azsecret~pat-test"
    from harness import CLIENT_ID, TENANT
    emu.trust_github(TENANT, CLIENT_ID, secret=secret)
    seed = rsandbox.run(login_args(rsandbox, "--write", "shell"),
                        rsandbox.azure_env(AZURE_CLIENT_SECRET=secret))
    assert seed.code == 0, seed
    (pat,) = emu.entra.issued
    emu.log.clear()
    result = rsandbox.run(login_args(rsandbox, "--write", "shell"), {"AZURE_DEVOPS_EXT_PAT": pat})
    assert result.code == 0, result
    assert emu.requests("entra") == []
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
