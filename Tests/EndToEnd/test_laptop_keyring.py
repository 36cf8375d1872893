"""The keyring helper on a laptop: pip and uv install from Artifact Registry and CodeArtifact
with nothing but the developer's sign-ins (ADC file, gcloud CLI, an AWS profile, IAM Identity
Center), answers from the cache afterwards, and never answers a cached token to someone who
has signed in as somebody else since."""

from __future__ import annotations

import sys

import pytest

from clouds import AWS_ACCOUNT, AWS_DOMAIN, AWS_OWNER, AWS_REGION, AWS_REPO, GCP_PROJECT, GCP_REPO  # noqa: F401
from clouds import cloud_sandbox  # noqa: F401
from keyring_support import KeyringBox
from laptop import Laptop


@pytest.fixture
def laptop(emu, cloud_sandbox):
    return Laptop(cloud_sandbox, emu)


@pytest.fixture
def box(emu, cloud_sandbox, tmp_path_factory):
    kb = KeyringBox(emu, cloud_sandbox, tmp_path_factory.mktemp("xdg-cache"))
    kb.ci_env = lambda: {}  # a laptop: no CI at all
    kb.install_link()
    yield kb
    kb.recheck()


def gar(emu) -> str:
    return f"{emu.google.index.url}/{GCP_PROJECT}/{GCP_REPO}/simple/"


def google_box(box, laptop, emu, **extra: str) -> None:
    host = emu.google.index.url.split("://", 1)[1]
    box.extra_env = {**laptop.google_env(), "INDEXKEY_REGISTRY": f"{host}=google-artifact-registry",
                     "PATH": f"{box.bin}:{laptop.fake_path()}", **extra}


def uv_install(box, name: str, url: str, username: str):
    """uv asks the keyring only for an index whose username it knows."""
    env = box.env(**{f"UV_INDEX_{name.upper()}_USERNAME": username})
    return box.uv_pip_install("--default-index", f"{name}={url}", env=env)


def installed(target) -> bool:
    return (target / "mypkg" / "__init__.py").exists()


def users(emu) -> list[str]:
    return [r.note.get("user") for r in emu.requests("google-oauth")]


def test_pip_from_the_adc_file_then_from_the_cache(emu, box, laptop):
    laptop.adc_user(emu.google.users.add("dev@example.com"))
    google_box(box, laptop, emu)
    pip, target = box.pip_install(sys.executable, gar(emu))
    assert pip.code == 0 and installed(target), str(pip)
    assert users(emu) == ["dev@example.com"]
    pip, target = box.pip_install(sys.executable, gar(emu))
    assert pip.code == 0 and installed(target), str(pip)
    assert users(emu) == ["dev@example.com"]  # answered from the cache


def test_signing_in_as_someone_else_is_never_answered_the_old_token(emu, box, laptop):
    laptop.adc_user(emu.google.users.add("alice@example.com"))
    google_box(box, laptop, emu)
    assert box.pip_install(sys.executable, gar(emu))[0].code == 0
    laptop.adc_user(emu.google.users.add("bob@example.com"))  # gcloud auth application-default login as bob
    pip, target = box.pip_install(sys.executable, gar(emu))
    assert pip.code == 0 and installed(target), str(pip)
    assert users(emu) == ["alice@example.com", "bob@example.com"]


def test_uv_from_the_gcloud_cli_and_a_switched_account(emu, box, laptop):
    alice, bob = emu.google.users.add("alice@example.com"), emu.google.users.add("bob@example.com")
    laptop.gcloud_login(alice)
    google_box(box, laptop, emu)
    uv, target = uv_install(box, "gar", gar(emu), "oauth2accesstoken")
    assert uv.code == 0 and installed(target), str(uv)
    laptop.gcloud_login(bob)  # gcloud auth login bob; gcloud config set account bob
    uv, target = uv_install(box, "gar", gar(emu), "oauth2accesstoken")
    assert uv.code == 0 and installed(target), str(uv)
    assert users(emu) == ["alice@example.com", "bob@example.com"]


def test_metadata_server_through_pip(emu, box, laptop):
    emu.google.metadata.attach("vm@emulated-project.iam.gserviceaccount.com")
    google_box(box, laptop, emu, GCE_METADATA_HOST=emu.google.metadata.url.split("://", 1)[1])
    pip, target = box.pip_install(sys.executable, gar(emu))
    assert pip.code == 0 and installed(target), str(pip)
    assert [r.path.rsplit("/", 1)[1] for r in emu.requests("google-metadata")] == ["scopes", "token"]


def aws_box(box, laptop, emu, **extra: str) -> None:
    host = emu.aws.index.url.split("://", 1)[1]
    box.extra_env = {**laptop.aws_env(), "INDEXKEY_REGISTRY": f"{host}=aws-codeartifact",
                     "INDEXKEY_AWS_DOMAIN": AWS_DOMAIN, "INDEXKEY_AWS_DOMAIN_OWNER": AWS_OWNER, **extra}


def codeartifact(emu) -> str:
    return f"{emu.aws.index.url}/pypi/{AWS_REPO}/simple/"


def test_pip_and_uv_from_an_aws_profile_and_a_changed_profile(emu, box, laptop):
    first = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/first")
    laptop.aws_credentials(f"[dev]\naws_access_key_id = {first.access_key_id}\naws_secret_access_key = {first.secret}\n")
    laptop.aws_config(f"[profile dev]\nregion = {AWS_REGION}\n")
    aws_box(box, laptop, emu, AWS_PROFILE="dev")
    pip, target = box.pip_install(sys.executable, codeartifact(emu))
    assert pip.code == 0 and installed(target), str(pip)
    uv, target = uv_install(box, "ca", codeartifact(emu), "aws")
    assert uv.code == 0 and installed(target), str(uv)
    assert [r.note["principal"] for r in emu.requests("codeartifact")] == [f"arn:aws:iam::{AWS_ACCOUNT}:user/first"]
    second = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/second")
    laptop.aws_credentials(f"[dev]\naws_access_key_id = {second.access_key_id}\naws_secret_access_key = {second.secret}\n")
    pip, target = box.pip_install(sys.executable, codeartifact(emu))
    assert pip.code == 0 and installed(target), str(pip)
    assert [r.note["principal"] for r in emu.requests("codeartifact")][-1] == f"arn:aws:iam::{AWS_ACCOUNT}:user/second"


def test_uv_from_an_iam_identity_center_sign_in(emu, box, laptop):
    session = emu.aws.sso.sign_in("dev", [(AWS_ACCOUNT, "Developer")])
    laptop.aws_config(f"[default]\nsso_session = corp\nsso_account_id = {AWS_ACCOUNT}\nsso_role_name = Developer\n"
                      f"region = {AWS_REGION}\n[sso-session corp]\nsso_start_url = https://emulated.awsapps.com/start\n"
                      f"sso_region = {AWS_REGION}\n")
    laptop.sso_cache("corp", session.token)
    aws_box(box, laptop, emu)
    uv, target = uv_install(box, "ca", codeartifact(emu), "aws")
    assert uv.code == 0 and installed(target), str(uv)
    assert len(emu.requests("aws-sso")) == 1


def test_an_expired_sso_sign_in_is_one_line_pip_shows(emu, box, laptop):
    session = emu.aws.sso.sign_in("dev", [(AWS_ACCOUNT, "Developer")])
    laptop.aws_config(f"[profile dev]\nsso_session = corp\nsso_account_id = {AWS_ACCOUNT}\nsso_role_name = Developer\n"
                      f"region = {AWS_REGION}\n[sso-session corp]\nsso_start_url = https://emulated.awsapps.com/start\n"
                      f"sso_region = {AWS_REGION}\n")
    laptop.sso_cache("corp", session.token, expires=0)
    aws_box(box, laptop, emu, AWS_PROFILE="dev")
    result = box.keyring("get", codeartifact(emu), "aws")
    assert result.code == 3, result
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert "run `aws sso login --profile dev`" in result.stderr


def test_a_new_sso_sign_in_is_never_answered_the_old_token(emu, box, laptop):
    """The profile names only the cache file; `aws sso login` as another user changes what it
    holds, and with it the cache key (without the digest the old user's token would be answered)."""
    alice = emu.aws.sso.sign_in("alice", [(AWS_ACCOUNT, "Developer")])
    laptop.aws_config(f"[default]\nsso_session = corp\nsso_account_id = {AWS_ACCOUNT}\nsso_role_name = Developer\n"
                      f"region = {AWS_REGION}\n[sso-session corp]\nsso_start_url = https://emulated.awsapps.com/start\n"
                      f"sso_region = {AWS_REGION}\n")
    laptop.sso_cache("corp", alice.token)
    aws_box(box, laptop, emu)
    assert box.pip_install(sys.executable, codeartifact(emu))[0].code == 0
    assert box.pip_install(sys.executable, codeartifact(emu))[0].code == 0  # cached
    bob = emu.aws.sso.sign_in("bob", [(AWS_ACCOUNT, "Developer")])
    laptop.sso_cache("corp", bob.token)
    pip, target = box.pip_install(sys.executable, codeartifact(emu))
    assert pip.code == 0 and installed(target), str(pip)
    assert [r.note["user"] for r in emu.requests("aws-sso")] == ["alice", "bob"]


@pytest.mark.parametrize("link", ["assume-role", "credential_process", "container", "instance-metadata"])
def test_pip_from_each_other_aws_link(emu, box, laptop, link):
    extra: dict[str, str] = {}
    if link == "assume-role":
        base = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/base")
        emu.aws.add_role(f"arn:aws:iam::{AWS_ACCOUNT}:role/deploy", [], assumers=[f"arn:aws:iam::{AWS_ACCOUNT}:user/base"])
        laptop.aws_credentials(f"[base]\naws_access_key_id = {base.access_key_id}\naws_secret_access_key = {base.secret}\n")
        laptop.aws_config(f"[default]\nrole_arn = arn:aws:iam::{AWS_ACCOUNT}:role/deploy\nsource_profile = base\n"
                          f"region = {AWS_REGION}\n")
        expected = f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/deploy/indexkey"
    elif link == "credential_process":
        keys = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/process")
        helper = box.sandbox.write_input("helper.py", "import json\nprint(json.dumps({'Version': 1, "
                                         f"'AccessKeyId': {keys.access_key_id!r}, 'SecretAccessKey': {keys.secret!r}}}))\n")
        laptop.aws_config(f"[default]\ncredential_process = {sys.executable} {helper}\nregion = {AWS_REGION}\n")
        expected = f"arn:aws:iam::{AWS_ACCOUNT}:user/process"
    elif link == "container":
        emu.aws.container.add_container_credentials("/v2/credentials/task", f"arn:aws:iam::{AWS_ACCOUNT}:role/task")
        extra = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": emu.aws.container.url + "/v2/credentials/task",
                 "AWS_REGION": AWS_REGION}
        expected = f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/task/container"
    else:
        emu.aws.imds.attach_role("builder")
        extra = {"AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": emu.aws.imds.url,
                 "AWS_REGION": AWS_REGION}
        expected = f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/builder/i-0123456789abcdef0"
    aws_box(box, laptop, emu, **extra)
    pip, target = box.pip_install(sys.executable, codeartifact(emu))
    assert pip.code == 0 and installed(target), str(pip)
    assert [r.note["principal"] for r in emu.requests("codeartifact")] == [expected]


def test_uv_from_a_user_credentials_file(emu, box, laptop):
    user = emu.google.users.add("named@example.com")
    path = box.sandbox.write_input("user.json", (
        '{"type": "authorized_user", "client_id": "%s", "client_secret": "%s", "refresh_token": "%s"}'
        % (user.client_id, user.client_secret, user.refresh_token)))
    google_box(box, laptop, emu, GOOGLE_APPLICATION_CREDENTIALS=str(path))
    uv, target = uv_install(box, "gar", gar(emu), "oauth2accesstoken")
    assert uv.code == 0 and installed(target), str(uv)
    assert users(emu) == ["named@example.com"]
