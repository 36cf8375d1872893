"""The Entra ID catalogue, entry by entry: trust configured wrongly in one specific way
on the emulated Entra, and the message checked for the claims the token presented and
the exact value to configure."""

from __future__ import annotations

import time

import pytest

from ci_support import box, login_shell  # noqa: F401  (box is a fixture)
from emulator.ci import EXCHANGE_AUDIENCE
from harness import CLIENT_ID, TENANT

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
BRANCH_SUB = "repo:octo-org/app:ref:refs/heads/main"


def federate(emu, **fic):
    """Replace the app's federated credentials with one built from the defaults and `fic`."""
    emu.entra.add_app(TENANT, CLIENT_ID, federated=[{
        "issuer": GITHUB_ISSUER, "subject": BRANCH_SUB, "audience": EXCHANGE_AUDIENCE, **fic}])


def refused(box, env=None, *extra):
    result = login_shell(box, env or box.github_runner_env(), *extra)
    assert result.code == 4, result
    assert result.stdout == ""
    return result.stderr


def test_700211_issuer_with_a_trailing_slash(emu, box):
    federate(emu, issuer=GITHUB_ISSUER + "/")
    message = refused(box)
    assert "AADSTS700211" in message
    assert f"iss '{GITHUB_ISSUER}'" in message
    assert f"whose issuer is exactly '{GITHUB_ISSUER}' (no trailing slash)" in message


def test_700212_audience_the_credential_does_not_accept(emu, box):
    federate(emu, audience="api://AzureADTokenExchangeUSGov")
    message = refused(box)
    assert "AADSTS700212" in message
    assert f"aud '{EXCHANGE_AUDIENCE}'" in message
    assert f"Set the credential's audience to '{EXCHANGE_AUDIENCE}'" in message


def test_700213_environment_credential_but_branch_job(emu, box):
    federate(emu, subject="repo:octo-org/app:environment:production")
    message = refused(box)
    assert "AADSTS700213" in message
    assert f"sub '{BRANCH_SUB}'" in message
    assert f"Add one with issuer '{GITHUB_ISSUER}' and subject '{BRANCH_SUB}' (audience '{EXCHANGE_AUDIENCE}'" in message
    assert "a trust written for a GitHub environment ('repo:octo-org/app:environment:NAME') does not match a job without `environment:`" in message


def test_700213_branch_credential_but_environment_job(emu, box):
    emu.github.claims.update({"environment": "production", "sub": "repo:octo-org/app:environment:production"})
    federate(emu)
    message = refused(box)
    assert "sub 'repo:octo-org/app:environment:production'" in message
    assert "subject 'repo:octo-org/app:environment:production'" in message
    assert "runs in the GitHub environment 'production'" in message


def test_700213_immutable_subject_format(emu, box):
    immutable = "repo:octo-org@9919/app@70107786:ref:refs/heads/main"
    emu.github.claims["sub"] = immutable
    federate(emu)
    message = refused(box)
    assert f"sub '{immutable}'" in message
    assert f"subject '{immutable}'" in message
    assert "GitHub's immutable subject format" in message


def test_700213_pull_request_subject(emu, box):
    emu.github.claims.update({"sub": "repo:octo-org/app:pull_request", "event_name": "pull_request"})
    federate(emu)
    message = refused(box)
    assert "pull_request events carry the subject 'repo:octo-org/app:pull_request'" in message


def test_700213_reusable_workflow(emu, box):
    emu.github.claims["job_workflow_ref"] = "octo-org/shared/.github/workflows/publish.yml@refs/heads/main"
    federate(emu, subject="repo:octo-org/shared:ref:refs/heads/main")
    message = refused(box)
    assert "reusable workflow 'octo-org/shared/.github/workflows/publish.yml@refs/heads/main'" in message
    assert "the subject is still the caller's" in message


def test_7002138_letter_case(emu, box):
    federate(emu, subject=BRANCH_SUB.replace("octo-org", "Octo-Org"))
    message = refused(box)
    assert "AADSTS7002138" in message
    assert f"Change the credential's subject to exactly '{BRANCH_SUB}'" in message


def test_700024_token_outside_its_valid_time(emu, box):
    # valid by this machine's clock, not yet by Entra's: the clocks disagree
    early = box.write_input("early.jwt", emu.github.mint("api://AzureADTokenExchange", issued_at=time.time() + 900))
    message = refused(box, None, "--identity", f"file:{early}")
    assert "AADSTS700024" in message
    assert f"sub '{BRANCH_SUB}'" in message
    assert ", exp 20" in message
    assert "check the clock" in message


def test_7000215_secret_id_instead_of_value(emu, box):
    emu.trust_github(TENANT, CLIENT_ID, secret="the-real-secret-value")
    message = refused(box, box.github_runner_env(AZURE_CLIENT_SECRET="0b5e3c1a-secret-id"))
    assert "AADSTS7000215" in message
    assert "Put the secret's Value, not its Secret ID, in AZURE_CLIENT_SECRET" in message


def test_700016_unknown_application(emu, box):
    message = refused(box, box.github_runner_env(AZURE_CLIENT_ID="11111111-2222-4333-8444-555555555555"))
    assert "AADSTS700016" in message
    assert "No application with client id '11111111-2222-4333-8444-555555555555' exists in the tenant" in message
    assert "Application (client) ID — not its Object ID" in message


def test_90002_unknown_tenant(emu, box):
    message = refused(box, box.github_runner_env(AZURE_TENANT_ID="99999999-8888-4777-8666-555555555555"))
    assert "AADSTS90002" in message
    assert "Tenant '99999999-8888-4777-8666-555555555555' was not found" in message
    assert "Directory (tenant) ID" in message


@pytest.mark.parametrize("ci", ["gitlab", "bitbucket"])
def test_700213_for_other_cis_shows_their_subject(emu, box, ci):
    """The catalogue reads the presented token whatever CI issued it."""
    token = emu.ci.mint(ci, EXCHANGE_AUDIENCE)
    claims = emu.ci.claims[ci]
    box.trust(ci, subject=claims["sub"] + "-not-this")
    env = (box.gitlab_env(API___AZUREADTOKENEXCHANGE_ID_TOKEN=token) if ci == "gitlab"
           else box.bitbucket_env(BITBUCKET_STEP_OIDC_TOKEN=token))
    message = refused(box, env)
    assert "AADSTS700213" in message
    assert f"Add one with issuer '{claims['iss']}' and subject '{claims['sub']}'" in message
    hint = "GitLab subjects name the branch" if ci == "gitlab" else "Bitbucket subjects name the repository and the step"
    assert hint in message
