"""AWS CodeArtifact on a laptop and in AWS runtimes: the AWS default credential chain in
botocore's order — environment keys, shared-file profiles (static keys, role chains signed
with the source's keys, credential_process, IAM Identity Center), container credentials,
IMDSv2 — each through to a real pip install, each documented error, and `doctor`'s trace."""

from __future__ import annotations

import sys
import time

import pytest

from clouds import AWS_ACCOUNT, AWS_DOMAIN, AWS_OWNER, AWS_REGION, cloud_sandbox, codeartifact_url  # noqa: F401
from laptop import Laptop

ROLE = f"arn:aws:iam::{AWS_ACCOUNT}:role/deploy"


@pytest.fixture
def laptop(emu, cloud_sandbox):
    return Laptop(cloud_sandbox, emu)


def login(box, laptop, env: dict, *extra: str):
    args = ["login", codeartifact_url(box.emu), "--registry", "aws-codeartifact", "--aws-domain", AWS_DOMAIN,
            "--aws-domain-owner", AWS_OWNER, "--write", "shell", *extra]
    return box.run(args, laptop.aws_env(**env))


def installs(box, result) -> None:
    assert result.code == 0, result
    proc, target = box.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()


def signer(emu) -> str:
    (request,) = emu.requests("codeartifact")
    assert request.note["signature"] == "valid"
    return request.note["principal"]


def static_profile(emu, laptop, name: str = "default", region: str = AWS_REGION) -> object:
    keys = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/{name}")
    section = name if name == "default" else name
    laptop.aws_credentials(f"[{section}]\naws_access_key_id = {keys.access_key_id}\n"
                           f"aws_secret_access_key = {keys.secret}\n")
    laptop.aws_config(f"[{'default' if name == 'default' else 'profile ' + name}]\nregion = {region}\n")
    return keys


def test_default_profile_static_keys_then_pip_install(emu, cloud_sandbox, laptop):
    static_profile(emu, laptop)
    installs(cloud_sandbox, login(cloud_sandbox, laptop, {}))
    assert signer(emu) == f"arn:aws:iam::{AWS_ACCOUNT}:user/default"


def test_named_profile_gives_keys_and_region(emu, cloud_sandbox, laptop):
    static_profile(emu, laptop, "dev")
    result = login(cloud_sandbox, laptop, {"AWS_PROFILE": "dev"})
    installs(cloud_sandbox, result)
    assert signer(emu) == f"arn:aws:iam::{AWS_ACCOUNT}:user/dev"


def test_environment_keys_come_before_aws_profile(emu, cloud_sandbox, laptop):
    static_profile(emu, laptop, "dev")
    env_keys = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/from-env")
    result = login(cloud_sandbox, laptop, {"AWS_PROFILE": "dev", "AWS_ACCESS_KEY_ID": env_keys.access_key_id,
                                           "AWS_SECRET_ACCESS_KEY": env_keys.secret, "AWS_REGION": AWS_REGION})
    installs(cloud_sandbox, result)
    assert signer(emu) == f"arn:aws:iam::{AWS_ACCOUNT}:user/from-env"


def test_a_missing_named_profile_is_a_config_error(emu, cloud_sandbox, laptop):
    static_profile(emu, laptop)
    result = login(cloud_sandbox, laptop, {"AWS_PROFILE": "nope"})
    assert result.code == 2, result
    assert "The AWS profile 'nope' (AWS_PROFILE) is in neither" in result.stderr
    assert emu.requests() == []


def test_role_chain_assumes_each_role_with_the_previous_keys(emu, cloud_sandbox, laptop):
    base = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/base")
    middle = f"arn:aws:iam::{AWS_ACCOUNT}:role/middle"
    emu.aws.add_role(middle, [], assumers=[f"arn:aws:iam::{AWS_ACCOUNT}:user/base"])
    emu.aws.add_role(ROLE, [], assumers=[f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/middle/hop"], external_id="ext-7")
    laptop.aws_credentials(f"[base]\naws_access_key_id = {base.access_key_id}\naws_secret_access_key = {base.secret}\n")
    laptop.aws_config(f"[profile middle]\nrole_arn = {middle}\nsource_profile = base\nrole_session_name = hop\n"
                      f"[profile deploy]\nrole_arn = {ROLE}\nsource_profile = middle\nexternal_id = ext-7\n"
                      f"region = {AWS_REGION}\n")
    installs(cloud_sandbox, login(cloud_sandbox, laptop, {"AWS_PROFILE": "deploy"}))
    calls = emu.requests("aws-sts")
    assert [c.note["role"] for c in calls] == [middle, ROLE]
    assert calls[0].note["caller"] == f"arn:aws:iam::{AWS_ACCOUNT}:user/base"
    assert calls[1].note["caller"] == f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/middle/hop"
    assert all(c.note["signature"] == "valid" for c in calls)
    assert signer(emu) == f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/deploy/indexkey"


def test_a_profile_loop_is_refused_before_any_request(emu, cloud_sandbox, laptop):
    laptop.aws_config(f"[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n"
                      f"[profile b]\nrole_arn = {ROLE}\nsource_profile = a\n")
    result = login(cloud_sandbox, laptop, {"AWS_PROFILE": "a", "AWS_REGION": AWS_REGION})
    assert result.code == 2, result
    assert "name each other as source_profile in a loop" in result.stderr
    assert emu.requests() == []


def test_credential_process(emu, cloud_sandbox, laptop):
    keys = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/process", session=True)
    expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    helper = cloud_sandbox.write_input("helper.py", "import json\nprint(json.dumps({'Version': 1, "
                                       f"'AccessKeyId': {keys.access_key_id!r}, 'SecretAccessKey': {keys.secret!r}, "
                                       f"'SessionToken': {keys.session_token!r}, 'Expiration': {expiry!r}}}))\n")
    laptop.aws_config(f"[profile tool]\ncredential_process = {sys.executable} \"{helper}\" --quiet\n"
                      f"region = {AWS_REGION}\n")
    installs(cloud_sandbox, login(cloud_sandbox, laptop, {"AWS_PROFILE": "tool"}))
    assert signer(emu) == f"arn:aws:iam::{AWS_ACCOUNT}:user/process"


def sso_profile(emu, laptop, *, expires: float | None = None) -> object:
    session = emu.aws.sso.sign_in("dev", [(AWS_ACCOUNT, "Developer")])
    laptop.aws_config(f"[profile dev]\nsso_session = corp\nsso_account_id = {AWS_ACCOUNT}\n"
                      f"sso_role_name = Developer\nregion = {AWS_REGION}\n"
                      f"[sso-session corp]\nsso_start_url = https://emulated.awsapps.com/start\n"
                      f"sso_region = {AWS_REGION}\nsso_registration_scopes = sso:account:access\n")
    laptop.sso_cache("corp", session.token, expires=expires)
    return session


def test_iam_identity_center_sign_in(emu, cloud_sandbox, laptop):
    sso_profile(emu, laptop)
    installs(cloud_sandbox, login(cloud_sandbox, laptop, {"AWS_PROFILE": "dev"}))
    (portal,) = emu.requests("aws-sso")
    assert portal.note == {"account": AWS_ACCOUNT, "role": "Developer", "user": "dev"}
    assert signer(emu).startswith(f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/AWSReservedSSO_Developer_")


def test_an_expired_sso_sign_in_names_the_login_command(emu, cloud_sandbox, laptop):
    sso_profile(emu, laptop, expires=time.time() - 60)
    result = login(cloud_sandbox, laptop, {"AWS_PROFILE": "dev"})
    assert result.code == 3, result
    assert "run `aws sso login --profile dev`" in result.stderr
    assert emu.requests("aws-sso") == []


def test_container_credentials(emu, cloud_sandbox, laptop):
    emu.aws.container.add_container_credentials("/v1/credentials", f"arn:aws:iam::{AWS_ACCOUNT}:role/pod",
                                                token="pod-token-canary")
    token_file = cloud_sandbox.write_input("eks-pod-identity-token", "pod-token-canary\n")
    result = login(cloud_sandbox, laptop, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": emu.aws.container.url + "/v1/credentials",
                                           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token_file),
                                           "AWS_REGION": AWS_REGION})
    installs(cloud_sandbox, result)
    assert "pod-token-canary" not in result.stderr + result.stdout
    assert signer(emu) == f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/pod/container"


def test_imds_v2(emu, cloud_sandbox, laptop):
    emu.aws.imds.attach_role("web-server")
    env = {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": emu.aws.imds.url,
           "AWS_REGION": AWS_REGION}
    installs(cloud_sandbox, login(cloud_sandbox, laptop, env))
    assert [(r.method, r.path) for r in emu.requests("aws-imds")] == [
        ("PUT", "/latest/api/token"), ("GET", "/latest/meta-data/iam/security-credentials/"),
        ("GET", "/latest/meta-data/iam/security-credentials/web-server")]
    assert signer(emu).endswith(":assumed-role/web-server/i-0123456789abcdef0")


def test_nothing_configured_says_what_was_tried(emu, cloud_sandbox, laptop):
    result = login(cloud_sandbox, laptop, {"AWS_REGION": AWS_REGION})
    assert result.code == 2, result
    for tried in ("environment: AWS_ACCESS_KEY_ID is not set", "web-identity: no role is named", "profile: no profile 'default'",
                  ".aws/credentials", "container: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                  "instance-metadata: AWS_EC2_METADATA_DISABLED is set"):
        assert tried in result.stderr, tried
    assert emu.requests() == []


def test_doctor_shows_the_chain(emu, cloud_sandbox, laptop):
    sso_profile(emu, laptop)
    args = ["doctor", codeartifact_url(emu), "--registry", "aws-codeartifact", "--aws-domain", AWS_DOMAIN,
            "--aws-domain-owner", AWS_OWNER]
    result = cloud_sandbox.run(args, laptop.aws_env(AWS_PROFILE="dev"))
    assert result.code == 0, result
    text = result.stdout + result.stderr
    assert "- environment: skipped: AWS_ACCESS_KEY_ID is not set" in text
    assert "✓ profile: profile 'dev' (AWS_PROFILE): IAM Identity Center, role Developer" in text
    assert "  container: not tried" in text
    assert emu.requests("aws-sso") == []
