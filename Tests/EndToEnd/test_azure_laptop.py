"""Azure Artifacts outside CI, through the keyring link pip and uv run: the Azure CLI's login,
a device-code sign-in read from a pseudo-terminal (once, however many lookups run in parallel),
its refresh token kept in the encrypted store until revoked, PATs made on request and reused,
App Service, IMDS and Azure Arc managed identities, `keyring del` and `indexkey logout`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import TENANT, Result, binary_path
from laptop_box import UPN, LaptopBox
from laptop_support import Terminal

USERNAME_BEARER = "EntraToken"


@pytest.fixture
def box(emu, sandbox, tmp_path_factory):
    emu.entra.users.add_user(UPN, TENANT)
    emu.entra.users.interval = 1
    emu.vssps.org_tenants["org"] = TENANT
    lb = LaptopBox(emu, sandbox, tmp_path_factory.mktemp("xdg-cache"), tmp_path_factory.mktemp("outside"))
    lb.install_link()
    yield lb
    lb.recheck()


def index_users(emu) -> list[tuple[str, str]]:
    return [(r.note.get("auth", ""), r.note.get("username", "")) for r in emu.requests("index")]


def installed(target: Path) -> bool:
    return (target / "mypkg" / "__init__.py").read_text() == '__version__ = "1.0.0"\n'


def user_tokens(emu) -> list[str]:
    return [g["token"] for g in emu.entra.user_grants]


# -- the Azure CLI ------------------------------------------------------------------

def test_pip_and_uv_install_with_the_azure_cli_login(emu, sandbox, box):
    box.az_login(TENANT)
    pip, target = box.pip_install(sys.executable, sandbox.index_url())
    assert pip.code == 0 and installed(target), str(pip)
    assert len(user_tokens(emu)) == 1 and ("accepted", USERNAME_BEARER) in index_users(emu)
    _, entry = box.only_entry()
    assert entry["password"] == user_tokens(emu)[0]

    # uv, asking with a username, is answered from the cache: az does not run again.
    uv, target = box.uv_pip_install("--default-index", f"feed={sandbox.index_url()}",
                                    env=box.env(UV_INDEX_FEED_USERNAME="me"))
    assert uv.code == 0 and installed(target), str(uv)
    assert len(user_tokens(emu)) == 1


def test_az_not_signed_in_and_no_terminal_is_one_sentence(emu, sandbox, box):
    result = box.keyring("get", sandbox.index_url(), "u")
    assert result.code == 3 and result.stdout == "", str(result)
    (line,) = result.stderr.splitlines()
    assert "az login" in line and "terminal" in line, line
    assert emu.requests("entra") == []


def test_a_revoked_az_login_says_which_az_login_to_run(emu, sandbox, box):
    box.az_login(TENANT)
    emu.entra.users.revoke(UPN)
    result = box.keyring("get", sandbox.index_url(), "u")
    assert result.code == 3, str(result)
    assert "AADSTS50173" in result.stderr and "az login --scope 499b84ac" in result.stderr, result.stderr


# -- device code, refresh token, parallel lookups ------------------------------------

def sign_in_on_terminal(emu, box, argv, env=None, answer=True):
    env = env or box.env()
    terminal = box.on_terminal(argv, env)
    code = terminal.user_code()
    emu.entra.users.approve(code, UPN)
    return box.finish(terminal, argv, env, answer=answer), terminal


def test_pip_signs_in_with_a_device_code_once_then_refreshes_silently(emu, sandbox, box):
    box.with_fakes = False  # no az here: the chain reaches the device code
    target = box.target()
    argv = [sys.executable, "-m", "pip", "install", "--keyring-provider", "subprocess", "--no-input",
            "--no-cache-dir", "--disable-pip-version-check", "--target", str(target),
            "--index-url", sandbox.index_url(), "mypkg"]
    pip, terminal = sign_in_on_terminal(emu, box, argv, answer=False)
    assert pip.code == 0 and installed(target), str(pip)
    assert "https://microsoft.com/devicelogin" in terminal.text
    assert "devicelogin" not in pip.stderr + pip.stdout, "the prompt goes to the terminal only"
    assert len(emu.entra.users.prompts) == 1
    assert box.store.exists()

    # The cache forgotten, a later lookup refreshes from the store: no prompt, no terminal needed.
    assert box.keyring("clear").code == 0
    result = box.keyring("--mode=creds", "--output=json", "get", sandbox.index_url())
    assert result.code == 0, str(result)
    assert json.loads(result.stdout)["password"] == user_tokens(emu)[-1]
    assert len(emu.entra.users.prompts) == 1 and len(user_tokens(emu)) == 2


def test_parallel_lookups_prompt_once(emu, sandbox, box):
    box.with_fakes = False
    services = [sandbox.index_url(), box.authority, sandbox.upload_url()]
    script = " ".join(f'keyring get "{s}" u > "$OUT/{i}" 2> "$OUT/{i}.err" &' for i, s in enumerate(services))
    out = box.outside / "answers"  # the answers hold tokens: outside the leak-checked sandbox
    out.mkdir()
    env = box.env(OUT=str(out))
    argv = ["sh", "-c", script + " wait"]
    result, terminal = sign_in_on_terminal(emu, box, argv, env=env)
    assert result.code == 0
    assert len(emu.entra.users.prompts) == 1, terminal.text + "".join((out / f"{i}.err").read_text() for i in range(3))
    assert terminal.text.count("enter the code") == 1
    answers = [(out / str(i)).read_text() for i in range(len(services))]
    errors = [(out / f"{i}.err").read_text() for i in range(len(services))]
    assert all(a.strip() in user_tokens(emu) for a in answers), (answers, errors)
    for i, text in enumerate(answers):
        box.check(Result(["keyring", "get", services[i]], 0, text, errors[i], 0.0, env), answer=True)


def test_a_revoked_refresh_token_leads_to_a_new_prompt_not_401s(emu, sandbox, box):
    box.with_fakes = False
    url = sandbox.index_url()
    first, _ = sign_in_on_terminal(emu, box, [str(box.bin / "keyring"), "get", url, "u"])
    assert first.code == 0
    emu.entra.users.revoke(UPN)
    assert box.keyring("clear").code == 0

    # Without a terminal: one sentence, exit 3, and the dead sign-in is forgotten.
    dead = box.keyring("get", url, "u")
    assert dead.code == 3 and len(dead.stderr.splitlines()) == 1, str(dead)
    assert "AADSTS50173" in dead.stderr and "sign in again" in dead.stderr
    # On a terminal: a new sign-in, then the index takes the new token.
    again, terminal = sign_in_on_terminal(emu, box, [str(box.bin / "keyring"), "get", url, "u"])
    assert again.code == 0 and again.stdout.strip() == user_tokens(emu)[-1], str(again)
    assert len(emu.entra.users.prompts) == 2
    refused = [r for r in emu.requests("entra") if r.status == 400]
    assert len(refused) == 1, "one refused refresh, not a stack of them"


def test_login_in_ci_never_prompts(emu, sandbox, box):
    box.with_fakes = False
    env = box.env(CI="true")
    terminal = box.on_terminal([str(binary_path()), "token", sandbox.index_url(), "--registry", "azure-artifacts"], env)
    code, out, err = terminal.finish(timeout=30)
    assert code == 2 and out == "" and "AZURE_CLIENT_ID" in err, err
    assert emu.entra.users.prompts == [] and "enter the code" not in terminal.text


def test_logout_forgets_the_sign_in(emu, sandbox, box):
    box.with_fakes = False
    first, _ = sign_in_on_terminal(emu, box, [str(box.bin / "keyring"), "get", sandbox.index_url(), "u"])
    assert first.code == 0
    out = box.sandbox.run(["logout", sandbox.index_url()], box.env())
    assert out.code == 0 and "azure-refresh-token" in out.stderr, str(out)
    assert "removed 1 cached credential for " in out.stderr, str(out)
    # The cached access token went with the sign-in: the next lookup has nothing to answer from.
    before = len(emu.requests("entra"))
    assert box.keyring("get", sandbox.index_url(), "u").code == 3
    assert len(emu.requests("entra")) == before, "nothing kept, so nothing sent"


def test_logout_of_everything_empties_the_keyring_cache(emu, sandbox, box):
    box.with_fakes = False
    first, _ = sign_in_on_terminal(emu, box, [str(box.bin / "keyring"), "get", sandbox.index_url(), "u"])
    assert first.code == 0
    out = box.sandbox.run(["logout"], box.env())
    assert out.code == 0 and "removed the encrypted store" in out.stderr, str(out)
    assert "removed 1 cached credential from " in out.stderr, str(out)
    # Nothing kept and no terminal: no answer, one sentence (the chain has nothing configured).
    after = box.keyring("get", sandbox.index_url(), "u")
    assert after.code == 2 and after.stdout == "" and len(after.stderr.splitlines()) == 1, str(after)


# -- personal access tokens on request ---------------------------------------------

def test_a_pat_is_made_once_kept_and_reused_until_its_last_week(emu, sandbox, box):
    box.az_login(TENANT)
    env = box.env(INDEXKEY_AZURE_PAT="create")
    pip, target = box.pip_install(sys.executable, sandbox.index_url(), env=env)
    assert pip.code == 0 and installed(target), str(pip)
    (made,) = emu.vssps.requests_made
    assert made["body"]["scope"] == "vso.packaging" and made["body"]["allOrgs"] is False
    assert made["body"]["displayName"].startswith("indexkey-") and made["upn"] == UPN
    (pat,) = emu.vssps.issued()
    assert ("accepted", "indexkey") in index_users(emu)

    # Cache cleared: the PAT comes from the store, with no Entra call and no new PAT.
    grants = len(emu.entra.user_grants)
    assert box.keyring("clear").code == 0
    result = box.keyring("--mode=creds", "--output=json", "get", sandbox.index_url(), env=env)
    assert json.loads(result.stdout) == {"username": "indexkey", "password": pat}, str(result)
    assert len(emu.vssps.requests_made) == 1 and len(emu.entra.user_grants) == grants

    # An upload asks for a write PAT.
    upload = box.keyring("get", sandbox.upload_url(), "u", env=env)
    assert upload.code == 0 and emu.vssps.requests_made[-1]["body"]["scope"] == "vso.packaging_write"

    # The organization allows 7 days at most: 30 is refused in one sentence.
    box.sandbox.run(["logout", sandbox.index_url()], box.env())
    assert box.keyring("clear").code == 0
    emu.vssps.max_days["org"] = 7
    refused = box.keyring("get", sandbox.index_url(), "u", env=env)
    assert refused.code == 4 and "--pat-days" in refused.stderr, str(refused)
    ok = box.keyring("get", sandbox.index_url(), "u", env={**env, "AZURE_DEVOPS_PAT_DURATION": "7"})
    assert ok.code == 0, str(ok)


# -- managed identities ---------------------------------------------------------

def test_app_service_managed_identity(emu, sandbox, box):
    mi = emu.azure_mi
    env = box.env(IDENTITY_ENDPOINT=f"{mi.url}/msi/token", IDENTITY_HEADER=mi.identity_header)
    pip, target = box.pip_install(sys.executable, sandbox.index_url(), env=env)
    assert pip.code == 0 and installed(target), str(pip)
    (served,) = mi.served
    assert served["kind"] == "app_service" and served["client_id"] == mi.system_assigned


def test_imds_managed_identity_with_a_user_assigned_client_id(emu, sandbox, box):
    mi = emu.azure_mi
    mi.user_assigned.add("3e4f5a6b-uami")
    env = box.env(AZURE_POD_IDENTITY_AUTHORITY_HOST=mi.url, AZURE_CLIENT_ID="3e4f5a6b-uami")
    uv, target = box.uv_pip_install("--default-index", f"feed={sandbox.index_url()}",
                                    env={**env, "UV_INDEX_FEED_USERNAME": "me"})
    assert uv.code == 0 and installed(target), str(uv)
    assert [s["client_id"] for s in mi.served] == ["3e4f5a6b-uami"]


def test_azure_arc_managed_identity(emu, sandbox, box, tmp_path_factory):
    keys = tmp_path_factory.mktemp("arc-tokens")
    emu.azure_mi.arc_key_dir = keys
    env = box.env(IDENTITY_ENDPOINT=f"{emu.azure_mi.url}/arc/metadata/identity/oauth2/token",
                  IMDS_ENDPOINT=emu.azure_mi.url)
    # The Arc agent's key directory, as on an Arc-enabled server: mounted for this process only.
    wrapper = ("mount -t tmpfs tmpfs /var && mkdir -p /var/opt/azcmagent/tokens && "
               f"mount --bind '{keys}' /var/opt/azcmagent/tokens && exec \"$@\"")
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", wrapper, "sh",
            str(box.bin / "keyring"), "get", sandbox.index_url(), "u"]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, start_new_session=True)
    result = Result(["keyring", "get", sandbox.index_url(), "u"], proc.returncode, proc.stdout, proc.stderr, 0.0, env)
    box.check(result, answer=True)
    assert proc.returncode == 0, str(result)
    (served,) = emu.azure_mi.served
    assert served["kind"] == "arc" and proc.stdout.strip() == served["token"]


# -- keyring del and forcing a link --------------------------------------------------

def test_keyring_del_forgets_the_cached_entry(emu, sandbox, box):
    box.az_login(TENANT)
    url = sandbox.index_url()
    assert box.keyring("get", url, "u").code == 0
    assert len(box.entries()) == 1
    deleted = box.keyring("del", url, "u")
    assert deleted.code == 0 and box.entries() == {}, str(deleted)
    assert box.keyring("get", url, "u").code == 0
    assert len(user_tokens(emu)) == 1, "the fake az answers its own cached token"
    assert len(box.entries()) == 1


def test_azure_credential_forces_one_link(emu, sandbox, box):
    box.az_login(TENANT)
    env = box.env(INDEXKEY_AZURE_CREDENTIAL="device-code")
    result = box.keyring("get", sandbox.index_url(), "u", env=env)
    assert result.code == 3 and "terminal" in result.stderr, str(result)
    assert emu.entra.user_grants == []  # az was not asked



def test_doctor_shows_which_link_answers_and_why_the_others_did_not(emu, sandbox, box):
    box.az_login(TENANT)
    proc = subprocess.run([str(binary_path()), "doctor", sandbox.index_url(), "--registry", "azure-artifacts", "--offline"],
                          env=box.env(), capture_output=True, text=True, timeout=30, start_new_session=True)
    result = Result(["doctor"], proc.returncode, proc.stdout, proc.stderr, 0.0, box.env())
    box.check(result, answer=False)
    text = proc.stdout + proc.stderr
    assert "- ci-federation: skipped: no app is named" in text, text
    assert "- managed-identity: skipped: not on Azure compute" in text, text
    assert "? azure-cli: tried first: az is on PATH; its login decides" in text, text
    assert "- device-code: skipped: no sign-in is kept and there is no terminal" in text, text
    assert "No CI identity was found" not in text, text  # the laptop's links need none
    assert "No index here needs a CI token." in text, text
    assert emu.entra.user_grants == []


def test_another_az_login_is_never_answered_the_old_token(emu, sandbox, box):
    emu.entra.users.add_user("bob@contoso.example", TENANT)
    box.az_login(TENANT)
    first = box.keyring("get", sandbox.index_url(), "u")
    assert first.code == 0 and emu.entra.user_grants[-1]["upn"] == UPN
    box.az_login(TENANT, upn="bob@contoso.example")
    second = box.keyring("get", sandbox.index_url(), "u")
    assert second.code == 0 and second.stdout != first.stdout, str(second)
    assert emu.entra.user_grants[-1]["upn"] == "bob@contoso.example"
    assert second.stdout.strip() == emu.entra.user_grants[-1]["token"]
