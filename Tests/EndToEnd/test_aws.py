"""AWS CodeArtifact: CI token → STS AssumeRoleWithWebIdentity → SigV4-signed
GetAuthorizationToken (signature verified by the emulator) → a real pip install and
twine upload through the CodeArtifact-shaped front; static keys, every refusal, faults."""

from __future__ import annotations

import base64
import os
import subprocess
import time
import urllib.parse

import pytest

from clouds import (AWS_DOMAIN, AWS_OWNER, AWS_REGION, AWS_REPO, AWS_ROLE, aws_args,  # noqa: F401
                    cloud_sandbox, codeartifact_upload_url, codeartifact_url, install_then_upload, request_counts)
from emulator import faults
from harness import index_accepts

EXCHANGE = ["github", "aws-sts", "codeartifact"]


def basic_credentials(record) -> tuple[str, str]:
    scheme, _, value = record.headers.get("Authorization", "").partition(" ")
    assert scheme == "Basic"
    user, _, password = base64.b64decode(value).decode().partition(":")
    return user, password


def test_web_identity_then_pip_install_and_twine_upload(emu, cloud_sandbox, dist):
    box = cloud_sandbox
    result = box.run(aws_args(emu, "--write", "github-env,pypirc"), box.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.aws.issued_tokens()
    # the protocol minimum: CI token, STS, GetAuthorizationToken — one connection each
    assert request_counts(emu, EXCHANGE) == {"github": (1, 1), "aws-sts": (1, 1), "codeartifact": (1, 1)}
    (oidc,) = emu.requests("github")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(oidc.path).query)["audience"] == ["sts.amazonaws.com"]
    (assume,) = emu.requests("aws-sts")
    assert "Authorization" not in assume.headers
    assert assume.note == {"role": AWS_ROLE, "session": "indexkey", "duration": 900}
    (get_token,) = emu.requests("codeartifact")
    assert get_token.note["signature"] == "valid"
    assert get_token.path == f"/v1/authorization-token?domain={AWS_DOMAIN}&domain-owner={AWS_OWNER}&duration=3600"
    assert get_token.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=ASIA")
    assert f"/{AWS_REGION}/codeartifact/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token," \
        in get_token.headers["Authorization"]

    upload = install_then_upload(box, emu, result, index_url=codeartifact_url(emu),
                                 upload_url=codeartifact_upload_url(emu), repo=AWS_REPO, username="aws",
                                 token=token, service="codeartifact-index", upload_path=f"/pypi/{AWS_REPO}/",
                                 dist=dist)
    assert basic_credentials(upload) == ("aws", token)


def test_web_identity_token_file_and_sdk_variables(emu, cloud_sandbox):
    """EKS-style: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_REGION, no CI variables."""
    box = cloud_sandbox
    token_file = box.write_input("eks-token", emu.github.mint("sts.amazonaws.com"))
    env = {"AWS_ROLE_ARN": AWS_ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
           "AWS_ROLE_SESSION_NAME": "pod@build", "AWS_REGION": AWS_REGION,
           "AWS_ENDPOINT_URL_STS": emu.aws.sts.url, "AWS_ENDPOINT_URL_CODEARTIFACT": emu.aws.codeartifact.url}
    args = ["login", codeartifact_url(emu), "--registry", "aws-codeartifact", "--aws-domain", AWS_DOMAIN,
            "--aws-domain-owner", AWS_OWNER, "--duration", "900", "--write", "shell"]
    result = box.run(args, env)
    assert result.code == 0, result
    assert request_counts(emu, EXCHANGE) == {"github": (0, 0), "aws-sts": (1, 1), "codeartifact": (1, 1)}
    assert emu.requests("aws-sts")[0].note["session"] == "pod@build"
    assert emu.requests("codeartifact")[0].note["duration"] == 900
    proc, _ = box.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_static_keys_sign_directly(emu, cloud_sandbox):
    box = cloud_sandbox
    keys = emu.aws.add_static_keys(session=True)
    env = {"AWS_ACCESS_KEY_ID": keys.access_key_id, "AWS_SECRET_ACCESS_KEY": keys.secret,
           "AWS_SESSION_TOKEN": keys.session_token}
    result = box.run(aws_args(emu, "--write", "shell", role=None), env)
    assert result.code == 0, result
    assert request_counts(emu, EXCHANGE) == {"github": (0, 0), "aws-sts": (0, 0), "codeartifact": (1, 1)}
    (get_token,) = emu.requests("codeartifact")
    assert get_token.note["signature"] == "valid"
    assert get_token.headers["X-Amz-Security-Token"] == keys.session_token
    proc, _ = box.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_wrong_secret_fails_the_signature_check(emu, cloud_sandbox):
    """The emulator recomputes SigV4 with the secret it knows: a request signed with
    another secret is refused, so passing tests prove the signing, not just its shape."""
    box = cloud_sandbox
    keys = emu.aws.add_static_keys()
    wrong = keys.secret[:-1] + ("y" if keys.secret.endswith("x") else "x")
    assert wrong != keys.secret
    env = {"AWS_ACCESS_KEY_ID": keys.access_key_id, "AWS_SECRET_ACCESS_KEY": wrong}
    result = box.run(aws_args(emu, role=None), env)
    assert result.code == 4, result
    assert "InvalidSignatureException (The request signature we calculated does not match" in result.stderr
    assert "check AWS_SECRET_ACCESS_KEY and this machine's clock" in result.stderr
    assert emu.requests("codeartifact")[0].note["signature"] == "InvalidSignatureException"
    assert emu.aws.issued_tokens() == []


def test_an_unknown_access_key(emu, cloud_sandbox):
    env = {"AWS_ACCESS_KEY_ID": "AKIANOTKNOWN00000000", "AWS_SECRET_ACCESS_KEY": "x" * 40}
    result = cloud_sandbox.run(aws_args(emu, role=None), env)
    assert result.code == 4, result
    assert "UnrecognizedClientException" in result.stderr and "AWS_ACCESS_KEY_ID" in result.stderr


# -- refusals ---------------------------------------------------------------
def refused(box, args, env=None) -> str:
    result = box.run(args, env if env is not None else box.github_runner_env())
    assert result.code == 4, result
    assert box.github_env.read_bytes() == b""
    return result.stderr


def test_invalid_identity_token_no_provider(emu, cloud_sandbox):
    emu.aws.oidc_providers.clear()
    err = refused(cloud_sandbox, aws_args(emu))
    assert "InvalidIdentityToken (No OpenIDConnect provider found in your account for " \
           "https://token.actions.githubusercontent.com)" in err
    assert "aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com " \
           "--client-id-list sts.amazonaws.com" in err


def test_invalid_identity_token_audience(emu, cloud_sandbox):
    err = refused(cloud_sandbox, aws_args(emu, "--aws-audience", "https://github.com/octo-org"))
    assert "InvalidIdentityToken (Incorrect token audience)" in err
    assert "aud 'https://github.com/octo-org' is not in the IAM OIDC provider's audiences" in err


def test_access_denied_prints_the_trust_condition(emu, cloud_sandbox):
    emu.aws.roles[AWS_ROLE].trust = [{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/app:environment:release"}]
    err = refused(cloud_sandbox, aws_args(emu))
    assert f"AWS STS refused to let the CI token assume {AWS_ROLE}: AccessDenied (Not authorized to perform " \
           "sts:AssumeRoleWithWebIdentity)." in err
    assert "sub 'repo:octo-org/app:ref:refs/heads/main', aud 'sts.amazonaws.com'" in err
    assert ('"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com",'
            '"token.actions.githubusercontent.com:sub":"repo:octo-org/app:ref:refs/heads/main"}}') in err


def test_an_expired_web_identity_token_never_reaches_aws(emu, cloud_sandbox):
    box = cloud_sandbox
    stale = box.write_input("stale.jwt", emu.github.mint("sts.amazonaws.com", issued_at=time.time() - 900))
    result = box.run(aws_args(emu, "--identity", f"file:{stale}"), {})
    assert result.code == 3, result
    assert f"the token file {stale} (--identity file:) answered an OIDC token that expired 10 min" in result.stderr
    assert "this machine's clock says" in result.stderr and "set it right (NTP" in result.stderr
    assert emu.requests("aws-sts") == [] and box.github_env.read_bytes() == b""


def test_codeartifact_access_denied_mentions_the_bearer_permission(emu, cloud_sandbox):
    emu.aws.roles[AWS_ROLE].can_bearer = False
    err = refused(cloud_sandbox, aws_args(emu))
    assert "AccessDeniedException (User: arn:aws:sts::111122223333:assumed-role/indexkey-publisher/indexkey " \
           "is not authorized to perform: sts:GetServiceBearerToken" in err
    assert "codeartifact:GetAuthorizationToken" in err and "sts:GetServiceBearerToken (condition" in err
    assert emu.requests("codeartifact")[0].note["signature"] == "valid"


def test_resource_not_found_names_domain_owner_and_region(emu, cloud_sandbox):
    args = aws_args(emu)
    args[args.index("--aws-domain") + 1] = "no-such-domain"
    err = refused(cloud_sandbox, args)
    assert "ResourceNotFoundException (Domain not found: no-such-domain)" in err
    assert f"No domain 'no-such-domain' owned by {AWS_OWNER} exists in {AWS_REGION}" in err


# -- faults -----------------------------------------------------------------
@pytest.mark.parametrize("service,prefix,fault", [
    ("aws-sts", "/", faults.status(503)),
    ("aws-sts", "/", faults.connection_reset()),
    ("codeartifact", "/v1/", faults.status(429, retry_after=1)),
    ("codeartifact", "/v1/", faults.status(500)),
], ids=["sts-503", "sts-reset", "codeartifact-429", "codeartifact-500"])
def test_transient_faults_are_retried(emu, cloud_sandbox, service, prefix, fault):
    emu.inject(service, prefix, fault)
    result = cloud_sandbox.run(aws_args(emu), cloud_sandbox.github_runner_env())
    assert result.code == 0, result
    first, second = emu.requests(service)
    assert first.fault == fault.kind and second.fault is None and second.status == 200
    if fault.retry_after:
        assert second.start - first.end >= fault.retry_after - 0.05
    # the retried GetAuthorizationToken (the same signed request) still verifies
    assert emu.requests("codeartifact")[-1].note["signature"] == "valid"
    assert index_accepts(cloud_sandbox.github_env_values()["PIP_INDEX_URL"])


def test_persistent_codeartifact_failure_gives_up_with_exit_5(emu, cloud_sandbox):
    emu.inject("codeartifact", "/v1/", faults.status(503, times=None))
    result = cloud_sandbox.run(aws_args(emu), cloud_sandbox.github_runner_env())
    assert result.code == 5, result
    assert "answered HTTP 503" in result.stderr
    assert cloud_sandbox.github_env.read_bytes() == b""


def test_libxml2_is_loaded_only_to_read_sts_and_a_broken_one_is_named(emu, cloud_sandbox, tmp_path):
    """libxml2.so.2 is opened when the first XML answer arrives: static keys (no STS)
    work without it, and an STS answer that cannot be read for lack of it says so."""
    box = cloud_sandbox
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libxml2.so.2").write_bytes(b"")
    keys = emu.aws.add_static_keys()
    env = {"AWS_ACCESS_KEY_ID": keys.access_key_id, "AWS_SECRET_ACCESS_KEY": keys.secret,
           "LD_LIBRARY_PATH": str(broken)}
    result = box.run(aws_args(emu, "--write", "shell", role=None), env)
    assert result.code == 0, result
    assert len(emu.aws.issued_tokens()) == 1
    result = box.run(aws_args(emu, "--write", "shell"), {**box.github_runner_env(), "LD_LIBRARY_PATH": str(broken)})
    assert result.code == 5, result
    assert result.stdout == ""
    assert "libxml2 could not be loaded" in result.stderr and "apt-get install libxml2" in result.stderr, result
    assert len(emu.aws.issued_tokens()) == 1  # the failed run got no CodeArtifact token


def system_libxml2() -> str:
    """This machine's libxml2.so.2, from the dynamic linker's cache."""
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    paths = [line.split(" => ")[-1].strip() for line in cache.splitlines() if line.strip().startswith("libxml2.so.2 ")]
    assert paths, "libxml2.so.2 is needed (apt-get install libxml2)"
    return paths[0]


def test_libxml2_so_16_is_used_when_there_is_no_so_2(emu, cloud_sandbox, tmp_path):
    """libxml2 2.14 and later are libxml2.so.16: where libxml2.so.2 cannot be loaded, the STS
    answer is read through libxml2.so.16. That library is INDEXKEY_LIBXML2_16 when set
    (`make e2e-oldcurl` builds a real 2.15), else this machine's libxml2 under the new name."""
    box = cloud_sandbox
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "libxml2.so.2").write_bytes(b"")  # found first, and not a library
    os.symlink(os.environ.get("INDEXKEY_LIBXML2_16") or system_libxml2(), lib / "libxml2.so.16")
    result = box.run(aws_args(emu, "--write", "shell"), {**box.github_runner_env(), "LD_LIBRARY_PATH": str(lib)})
    assert result.code == 0, result
    assert request_counts(emu, EXCHANGE) == {"github": (1, 1), "aws-sts": (1, 1), "codeartifact": (1, 1)}
    (token,) = emu.aws.issued_tokens()
    assert "PIP_INDEX_URL=" in result.stdout and token in result.stdout
