"""One benchmark run against the emulator (serving https): indexkey, the Python tools users
run today, and the libcurl floor, flow by flow; then a markdown table.

    python3 bench/bench.py --venv DIR --floor PATH [--bin indexkey] [--runs 20] [--out FILE]

Usually started by bench/run.sh, which builds the floor and the venv of Python tools. A flow
whose registry (or the keyring subcommand) this build of indexkey lacks is listed as "not
available in this build"; the decision comes from `indexkey login --help` and `indexkey --help`.
For every command, one run first counts the requests and TLS connections each emulated
service received and (under strace) the times it opened the system CA bundle, then hyperfine
times it.

Trust (--trust): `system` (run.sh's default) installs the emulator's CA the way
update-ca-certificates does — appended to /etc/ssl/certs/ca-certificates.crt and linked there by
subject hash — over a copy of /etc/ssl/certs bind-mounted in the private mount namespace run.sh
made, so nothing outside the run changes; indexkey and the floors get no CA variable, the Python
tools the system bundle (REQUESTS_CA_BUNDLE, SSL_CERT_FILE, AWS_CA_BUNDLE), since requests would
otherwise use certifi's. Each flow has two floors: libcurl's defaults and lazy hashed-directory
lookup. `ca-file` gives every command a one-certificate SSL_CERT_FILE instead.

Two builds of indexkey (--against OTHER): every indexkey command is also run with OTHER, in
the same hyperfine call, so both see the same machine load; --only-indexkey leaves out the
Python tools and the floors (no venv or floor needed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "bench" / "peers"
sys.path.insert(0, str(ROOT / "Tests" / "EndToEnd"))

from ci_examples import Capabilities  # noqa: E402
from emulator import Emulator  # noqa: E402
from emulator.latency import simulate_round_trip  # noqa: E402
from emulator.tls import LoopbackTLS  # noqa: E402

SYSTEM_CERTS = Path("/etc/ssl/certs")
SYSTEM_BUNDLE = SYSTEM_CERTS / "ca-certificates.crt"
TENANT = "3f1b5c2e-7a4d-4e8b-9c1f-0d2e3a4b5c6d"
CLIENT = "6d5c1f2a-8f4e-4b7a-9c3d-2e1f0a9b8c7d"
AZURE_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default"
EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
CHAINGUARD_IDENTITY = "0123abcd4567ef890123abcd4567ef8901234567/0a1b2c3d4e5f6a7b"
GCP_PROVIDER = "projects/123456789012/locations/global/workloadIdentityPools/bench/providers/github"
GCP_SA = "publisher@bench-project.iam.gserviceaccount.com"
AWS_ACCOUNT, AWS_REGION, AWS_DOMAIN = "111122223333", "eu-west-1", "my-domain"
AWS_ROLE = f"arn:aws:iam::{AWS_ACCOUNT}:role/bench"
CODEARTIFACT_URL = f"https://{AWS_DOMAIN}-{AWS_ACCOUNT}.d.codeartifact.{AWS_REGION}.amazonaws.com/pypi/my-repo/simple/"
GAR_KEYRING_URL = "https://europe-west1-python.pkg.dev/bench-project/python/simple/"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def q(text: str) -> str:
    return urllib.parse.quote(text, safe="")


class PeerFailed(Exception):
    pass


@dataclass
class Tool:
    name: str
    argv: list[str]
    kind: str  # indexkey, peer, floor (lazy CA lookup: what ratios compare with), floor-bundle, reference


@dataclass
class Flow:
    name: str
    tools: list[Tool]
    env: dict[str, str] = field(default_factory=dict)
    unavailable: Optional[str] = None
    prepare: Optional[callable] = None  # run before counting and timing (e.g. warm a cache)


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.binary = str(Path(args.bin).resolve())
        self.caps = Capabilities.of(Path(self.binary))
        top = subprocess.run([self.binary, "--help"], capture_output=True, text=True).stdout
        self.has_keyring = any(line.strip().startswith("keyring") for line in top.splitlines())
        self.emu = Emulator()
        self.emu.tls = LoopbackTLS(work / "tls")
        self.system_trust = args.trust == "system"
        if self.system_trust:
            install_ca(self.emu.tls.ca_file, work / "certs")
        self.strace = shutil.which("strace")
        self.emu.start()
        if args.simulate_rtt:
            simulate_round_trip(self.emu, args.simulate_rtt / 1000)
        self.venv = Path(args.venv or work / "no-venv")
        self.python = str(self.venv / "bin" / "python")
        self.against = str(Path(args.against).resolve()) if args.against else None
        self.twins = {self.binary: self.against}  # an argument of this build → the same of --against

    # -- emulator state every flow shares ----------------------------------------
    def base_env(self) -> dict[str, str]:
        emu, ca = self.emu, str(self.emu.tls.ca_file)
        home = self.work / "home"
        home.mkdir(exist_ok=True)
        return {
            "PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8",
            "GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": emu.github.request_url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": emu.github.request_token,
            "AZURE_CLIENT_ID": CLIENT, "AZURE_TENANT_ID": TENANT, "AZURE_AUTHORITY_HOST": emu.entra.url,
            **({} if self.system_trust else self.ca_variables(ca)),
            "XDG_CACHE_HOME": str(self.work / "cache"), "PYTHONDONTWRITEBYTECODE": "",
        }

    @staticmethod
    def ca_variables(bundle: str) -> dict[str, str]:
        return {"SSL_CERT_FILE": bundle, "CURL_CA_BUNDLE": bundle, "REQUESTS_CA_BUNDLE": bundle, "AWS_CA_BUNDLE": bundle}

    def argv(self, tool: Tool) -> list[str]:
        """What runs: with the system trust store, the Python tools are told where its bundle is."""
        if self.system_trust and tool.kind in ("peer", "reference") and tool.argv[0] != self.binary:
            return ["env", *(f"{k}={v}" for k, v in self.ca_variables(str(SYSTEM_BUNDLE)).items()), *tool.argv]
        return tool.argv

    def github_step(self, audience: str) -> str:
        emu = self.emu
        audience = audience if audience.startswith("@") else q(audience)  # @name@: from an earlier answer
        return f"GET|{emu.github.request_url}&audience={audience}|Authorization: bearer {emu.github.request_token}||value"

    def indexkey(self, *args: str) -> Tool:
        return Tool("indexkey", [self.binary, *args], "indexkey")

    def floor(self, *steps: str, name: str = "floor (C, libcurl)") -> Tool:
        return Tool(name, [self.args.floor or "floor", *steps], "floor")

    def missing(self, registry: str, *flags: str) -> Optional[str]:
        gaps = self.caps.missing(list(flags), [registry], [])
        return ", ".join(gaps) if gaps else None

    # -- flows -------------------------------------------------------------------
    def flows(self) -> list[Flow]:
        emu = self.emu
        emu.trust_github(TENANT, CLIENT)
        github = emu.github.claims
        flows = [Flow("reference: process start", [
            self.indexkey("--version"),
            Tool("python3 -c pass (the venv's interpreter)", [self.python, "-c", "pass"], "reference"),
            self.floor(name="floor binary, no request")])]
        flows.append(self.azure_flow())
        flows += self.google_flows(github)
        flows.append(self.aws_flow(github))
        flows.append(self.chainguard_flow(github))
        flows.append(self.jfrog_flow(github))
        flows.append(self.pypi_flow(github))
        flows += self.multi_flows()
        flows += self.keyring_flows()
        flows += self.laptop_flows()
        if self.has_keyring:
            from azure_laptop import azure_laptop_flows
            flows += azure_laptop_flows(self, Flow, Tool)
        if self.system_trust:
            for flow in flows:
                flow.tools = [t for tool in flow.tools for t in self.floors(tool)]
        if self.args.only_indexkey:
            for flow in flows:
                flow.tools = [tool for tool in flow.tools if tool.kind == "indexkey"]
        if self.against:
            for flow in flows:
                flow.tools = [t for tool in flow.tools for t in self.with_twin(tool)]
        return flows

    def with_twin(self, tool: Tool) -> list[Tool]:
        """An indexkey command, then the same command run by the --against build."""
        if tool.kind != "indexkey":
            return [tool]
        twin = Tool(f"{tool.name} [{self.args.against_label or Path(self.against).name}]",
                    [self.twins.get(a, a) for a in tool.argv], "indexkey")
        tool.name = f"{tool.name} [{self.args.label}]"
        return [tool, twin]

    def floors(self, tool: Tool) -> list[Tool]:
        """A floor twice: verifying through the hashed directory alone, then with libcurl's
        defaults (the bundle)."""
        if tool.kind != "floor" or len(tool.argv) == 1:
            return [tool]
        lazy = Tool(tool.name + ", lazy hashed CA lookup", [tool.argv[0], f"--capath={SYSTEM_CERTS}", *tool.argv[1:]],
                    "floor")
        return [lazy, Tool(tool.name + ", libcurl's default CA (bundle)", tool.argv, "floor-bundle")]

    def azure_feed(self, feed: str = "feed") -> str:
        return f"{self.emu.index.url}/org/proj/_packaging/{feed}/pypi/simple/"

    def azure_steps(self) -> list[str]:
        body = (f"client_id={CLIENT}&grant_type=client_credentials&scope={q(AZURE_SCOPE)}"
                f"&client_assertion_type={q('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}"
                f"&client_assertion=@value@")
        return [self.github_step(EXCHANGE_AUDIENCE),
                f"POST|{self.emu.entra.url}/{TENANT}/oauth2/v2.0/token|"
                f"Content-Type: application/x-www-form-urlencoded|{body}|access_token"]

    def azure_flow(self) -> Flow:
        return Flow("Azure Artifacts (GitHub OIDC → Entra ID)", [
            self.indexkey("login", self.azure_feed(), "--registry", "azure-artifacts", "--identity", "github",
                          "--write", "shell"),
            Tool("azure-identity (ClientAssertionCredential)", [self.python, str(PEERS / "azure_identity.py")], "peer"),
            self.floor(*self.azure_steps())])

    def google_flows(self, github: dict) -> list[Flow]:
        flows = []
        for impersonate in (False, True):
            name = f"Google Artifact Registry, {'with' if impersonate else 'without'} impersonation"
            gap = self.missing("google-artifact-registry", "--gcp-workload-identity-provider")
            google = getattr(self.emu, "google", None)
            if gap or google is None:
                flows.append(Flow(name, [], unavailable=gap or "the emulator has no Google service"))
                continue
            number, pool, provider = GCP_PROVIDER.split("/")[1], GCP_PROVIDER.split("/")[5], GCP_PROVIDER.split("/")[7]
            if not flows:
                google.add_provider(number, pool, provider, github["iss"])
                google.add_service_account(GCP_SA)
                google.grant(GCP_SA, "roles/iam.workloadIdentityUser",
                             f"principalSet://iam.googleapis.com/{GCP_PROVIDER.rsplit('/providers/', 1)[0]}"
                             f"/attribute.repository/{github['repository']}")
            audience = "https://iam.googleapis.com/" + GCP_PROVIDER
            sts, iam = google.sts.url + "/v1/token", google.iam.url
            config = {
                "type": "external_account", "audience": "//iam.googleapis.com/" + GCP_PROVIDER,
                "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": sts,
                "credential_source": {
                    "url": f"{self.emu.github.request_url}&audience={q(audience)}",
                    "headers": {"Authorization": "Bearer " + self.emu.github.request_token},
                    "format": {"type": "json", "subject_token_field_name": "value"}}}
            args = ["login", f"{google.index.url}/bench-project/python/simple/", "--registry",
                    "google-artifact-registry", "--identity", "github", "--gcp-workload-identity-provider",
                    GCP_PROVIDER, "--gcp-sts-endpoint", sts, "--gcp-iam-credentials-endpoint", iam, "--write", "shell"]
            body = "&".join(f"{k}={q(v)}" for k, v in [
                ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
                ("audience", "//iam.googleapis.com/" + GCP_PROVIDER), ("scope", CLOUD_PLATFORM)])
            steps = [self.github_step(audience),
                     f"POST|{sts}|Content-Type: application/x-www-form-urlencoded|{body}&subject_token=@value@|access_token"]
            if not impersonate:
                self.google_steps = list(steps)  # for the several-clouds flow
            if impersonate:
                config["service_account_impersonation_url"] = f"{iam}/v1/projects/-/serviceAccounts/{GCP_SA}:generateAccessToken"
                args[-2:-2] = ["--gcp-service-account", GCP_SA]
                steps.append(f"POST|{iam}/v1/projects/-/serviceAccounts/{GCP_SA}:generateAccessToken|"
                             f"Authorization: Bearer @access_token@^Content-Type: application/json|"
                             f'{{"scope":["{CLOUD_PLATFORM}"],"lifetime":"3600s"}}|accessToken')
            path = self.work / f"gcp-{impersonate}.json"
            path.write_text(json.dumps(config))
            tools = [self.indexkey(*args),
                     Tool("google-auth (identity_pool, URL source)", [self.python, str(PEERS / "google_auth.py")], "peer")]
            if not impersonate:  # with impersonation it takes google-auth's path, measured just above
                tools.append(Tool("keyring get + keyrings.google-artifactregistry-auth",
                                  [str(self.venv / "bin" / "keyring"), "get", GAR_KEYRING_URL,
                                   "oauth2accesstoken"], "peer"))
            flows.append(Flow(name, tools + [self.floor(*steps)],
                # google-github-actions/auth exports the project too; without it google.auth.default()
                # asks Cloud Resource Manager for it (one more request, to a host not emulated here)
                env={"GOOGLE_APPLICATION_CREDENTIALS": str(path), "GOOGLE_CLOUD_PROJECT": "bench-project"}))
        return flows

    def aws_flow(self, github: dict) -> Flow:
        name = "AWS CodeArtifact (GitHub OIDC → STS → CodeArtifact)"
        gap = self.missing("aws-codeartifact", "--aws-role-arn")
        aws = getattr(self.emu, "aws", None)
        if gap or aws is None:
            return Flow(name, [], unavailable=gap or "the emulator has no AWS service")
        aws.add_oidc_provider(AWS_ACCOUNT, github["iss"], ["sts.amazonaws.com"])
        aws.add_role(AWS_ROLE, [{"aud": "sts.amazonaws.com", "sub": github["sub"]}])
        aws.add_domain(AWS_DOMAIN, AWS_ACCOUNT)
        sts, codeartifact = aws.sts.url, aws.codeartifact.url
        venv = str(self.venv)
        self.aws_steps = [
            self.github_step("sts.amazonaws.com"),
            f"POST|{sts}/|Content-Type: application/x-www-form-urlencoded|Action=AssumeRoleWithWebIdentity"
            f"&Version=2011-06-15&RoleArn={q(AWS_ROLE)}&RoleSessionName=floor&WebIdentityToken=@value@|"
            "AccessKeyId,SecretAccessKey,SessionToken",
            f"POST|{codeartifact}/v1/authorization-token?domain={AWS_DOMAIN}&domain-owner={AWS_ACCOUNT}"
            f"&duration=3600|sigv4:{AWS_REGION}:codeartifact||authorizationToken"]
        return Flow(name, [
            self.indexkey("login", CODEARTIFACT_URL, "--identity", "github", "--aws-role-arn", AWS_ROLE,
                          "--aws-sts-endpoint", sts, "--aws-codeartifact-endpoint", codeartifact, "--write", "shell"),
            Tool("aws codeartifact get-authorization-token (AWS CLI)",
                 ["sh", str(PEERS / "aws.sh"), "cli", venv, CODEARTIFACT_URL, AWS_DOMAIN, AWS_ACCOUNT], "peer"),
            Tool("keyring get + keyrings.codeartifact",
                 ["sh", str(PEERS / "aws.sh"), "keyring", venv, CODEARTIFACT_URL, AWS_DOMAIN, AWS_ACCOUNT], "peer"),
            self.floor(*self.aws_steps)],
            env={"AWS_ROLE_ARN": AWS_ROLE, "AWS_REGION": AWS_REGION, "AWS_DEFAULT_REGION": AWS_REGION, "AWS_ENDPOINT_URL_STS": sts,
                 "AWS_ENDPOINT_URL_CODEARTIFACT": codeartifact})

    def chainguard_flow(self, github: dict) -> Flow:
        name = "Chainguard Libraries (GitHub OIDC → Chainguard STS)"
        gap = self.missing("chainguard", "--chainguard-issuer")
        if gap or "chainguard" not in self.emu.services:
            return Flow(name, [], unavailable=gap or "the emulator has no Chainguard service")
        self.emu.chainguard.add_identity(CHAINGUARD_IDENTITY, github["iss"], github["sub"])
        issuer = self.emu.chainguard.url
        return Flow(name, [
            self.indexkey("login", f"{self.emu.index.url}/python/simple/", "--registry", "chainguard", "--identity",
                          "github", "--chainguard-issuer", issuer, "--write", "shell"),
            self.floor(self.github_step("issuer.enforce.dev"),
                       f"POST|{issuer}/sts/exchange?aud=libraries.cgr.dev&identity={q(CHAINGUARD_IDENTITY)}|"
                       "Authorization: Bearer @value@||token")],
            env={"CHAINGUARD_IDENTITY": CHAINGUARD_IDENTITY})

    def jfrog_flow(self, github: dict) -> Flow:
        name = "JFrog Artifactory (GitHub OIDC → Access token exchange)"
        gap = self.missing("jfrog", "--jfrog-oidc-provider")
        if gap or "jfrog" not in self.emu.services:
            return Flow(name, [], unavailable=gap or "the emulator has no JFrog service")
        jfrog = self.emu.jfrog
        jfrog.add_integration("github-oidc", github["iss"], "jfrog-github", [({"repository": github["repository"]}, "ci-bot")])
        body = json.dumps({"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                           "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
                           "subject_token": "@value@", "provider_name": "github-oidc"}, separators=(",", ":"))
        return Flow(name, [
            self.indexkey("login", jfrog.repository_url + "/simple", "--registry", "jfrog", "--identity", "github",
                          "--jfrog-oidc-provider", "github-oidc", "--jfrog-oidc-audience", "jfrog-github",
                          "--write", "shell"),
            self.floor(self.github_step("jfrog-github"),
                       f"POST|{jfrog.url}/access/api/v1/oidc/token|Content-Type: application/json|{body}|access_token")])

    def pypi_flow(self, github: dict) -> Flow:
        name = "PyPI trusted publishing (audience → GitHub OIDC → mint)"
        gap = self.missing("pypi")
        if gap or "pypi" not in self.emu.services:
            return Flow(name, [], unavailable=gap or "the emulator has no PyPI service")
        pypi = self.emu.pypi
        workflow = github["job_workflow_ref"].split("@", 1)[0].rsplit("/", 1)[-1]
        pypi.add_publisher(github["repository"], workflow)
        return Flow(name, [
            self.indexkey("login", pypi.upload_url, "--registry", "pypi", "--identity", "github", "--write", "pypirc",
                          "--pypirc", str(self.work / "pypirc")),
            Tool("twine trusted publishing (up to the minted token)",
                 [self.python, str(PEERS / "twine_mint.py"), pypi.upload_url], "peer"),
            self.floor(f"GET|{pypi.url}/_/oidc/audience|||audience", self.github_step("@audience@"),
                       f'POST|{pypi.url}/_/oidc/mint-token|Content-Type: application/json|{{"token":"@value@"}}|token')])

    def multi_flows(self) -> list[Flow]:
        feeds = [self.azure_feed(f"feed{i}") for i in (1, 2, 3)]
        flows = [Flow("Three Azure Artifacts feeds in one call (one Entra token serves them all)", [
            self.indexkey("login", *feeds, "--registry", "azure-artifacts", "--identity", "github", "--write", "shell"),
            self.floor(*self.azure_steps(), name="floor (C, libcurl), one exchange")])]
        name = "Azure, Google and AWS indexes in one call"
        google, aws = getattr(self.emu, "google", None), getattr(self.emu, "aws", None)
        if google is None or aws is None or not hasattr(self, "google_steps") or not hasattr(self, "aws_steps"):
            return flows + [Flow(name, [], unavailable="the Google or AWS flow is not available here")]
        # Real index URLs, each recognised from its host; only the exchanges run, against the emulator.
        urls = ["https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/", GAR_KEYRING_URL, CODEARTIFACT_URL]
        return flows + [Flow(name, [
            self.indexkey("login", *urls, "--identity", "github", "--gcp-workload-identity-provider", GCP_PROVIDER,
                          "--gcp-sts-endpoint", google.sts.url + "/v1/token", "--aws-role-arn", AWS_ROLE,
                          "--aws-sts-endpoint", aws.sts.url, "--aws-codeartifact-endpoint", aws.codeartifact.url,
                          "--write", "shell"),
            self.floor(*self.azure_steps(), *self.google_steps, *self.aws_steps,
                       name="floor (C, libcurl), the three in sequence")])]

    def keyring_flows(self) -> list[Flow]:
        name = "keyring helper (pip/uv --keyring-provider subprocess)"
        if not self.has_keyring:
            return [Flow(name, [], unavailable="no keyring subcommand in `indexkey --help`")]
        link = self.work / "keyring-bin"
        subprocess.run([self.binary, "keyring", "install", str(link)], env=self.base_env(), check=True,
                       capture_output=True)
        feed = self.azure_feed()
        helper = str(link / "keyring")
        host = urllib.parse.urlsplit(feed).netloc
        env = {"INDEXKEY_REGISTRY": f"{host}=azure-artifacts", "INDEXKEY_IDENTITY": "github"}
        if self.against:
            subprocess.run([self.against, "keyring", "install", str(self.work / "keyring-bin-against")],
                           env=self.base_env(), check=True, capture_output=True)
            self.twins[helper] = str(self.work / "keyring-bin-against" / "keyring")
        venv_keyring = str(self.venv / "bin" / "keyring")
        tools = [Tool("indexkey keyring get, cached", [helper, "get", feed, "EntraToken"], "indexkey"),
                 Tool("indexkey keyring get, uncached (INDEXKEY_NO_CACHE=1)",
                      ["env", "INDEXKEY_NO_CACHE=1", helper, "get", feed, "EntraToken"], "indexkey")]
        if getattr(self.emu, "google", None) is not None and self.caps.registries & {"google-artifact-registry"}:
            tools.append(Tool("keyring get + keyrings.google-artifactregistry-auth (GCP, no cache)",
                              [venv_keyring, "get", GAR_KEYRING_URL, "oauth2accesstoken"], "peer"))
            env["GOOGLE_APPLICATION_CREDENTIALS"] = str(self.work / "gcp-False.json")
            env["GOOGLE_CLOUD_PROJECT"] = "bench-project"
        trivial = self.work / "trivial"
        trivial.mkdir(exist_ok=True)
        (trivial / "trivial_backend.py").write_text(
            "import keyring.backend\n\n"
            "class Fixed(keyring.backend.KeyringBackend):\n"
            "    priority = 1\n"
            "    def get_password(self, service, username):\n"
            "        return 'fixed'\n"
            "    def set_password(self, service, username, password):\n"
            "        raise NotImplementedError\n"
            "    def delete_password(self, service, username):\n"
            "        raise NotImplementedError\n")
        tools.append(Tool("Python keyring CLI with a backend that answers at once (lower bound of any plugin)",
                          ["env", f"PYTHONPATH={trivial}", "PYTHON_KEYRING_BACKEND=trivial_backend.Fixed",
                           venv_keyring, "get", feed, "EntraToken"], "reference"))
        tools.append(self.floor(*self.azure_steps(), name="floor (C, libcurl), the Azure exchange"))

        def warm() -> None:
            subprocess.run([helper, "get", feed, "EntraToken"], env={**self.base_env(), **env}, check=True,
                           capture_output=True)
        return [Flow(name, tools, env=env, prepare=warm)]

    def laptop_flows(self) -> list[Flow]:
        """A developer's machine: no CI, only what `gcloud auth application-default login`,
        `aws configure` and `aws sso login` left in HOME. Each peer reads the same files and
        asks the same emulator."""
        google, aws = getattr(self.emu, "google", None), getattr(self.emu, "aws", None)
        if google is None or aws is None or not hasattr(google, "users"):
            return [Flow("laptop sign-ins", [], unavailable="the emulator has no refresh-token grant or SSO portal")]
        home = self.work / "laptop-home"
        gcloud = home / ".config" / "gcloud"
        (home / ".aws" / "sso" / "cache").mkdir(parents=True, exist_ok=True)
        gcloud.mkdir(parents=True, exist_ok=True)
        no_ci = {"GITHUB_ACTIONS": "", "ACTIONS_ID_TOKEN_REQUEST_URL": "", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "",
                 "HOME": str(home), "NO_GCE_CHECK": "true", "AWS_EC2_METADATA_DISABLED": "true",
                 # google-auth asks `gcloud config config-helper` for a project after reading an
                 # authorized_user file: the stand-in answers at once (the real CLI takes ~0.5 s)
                 "PATH": f"{ROOT / 'Tests' / 'EndToEnd' / 'fakes'}:{os.environ['PATH']}"}
        user = google.users.add("dev@bench.example")
        # google-auth takes the token endpoint from the file; indexkey from gcloud's auth/token_host
        (gcloud / "application_default_credentials.json").write_text(json.dumps({
            "type": "authorized_user", "client_id": user.client_id, "client_secret": user.client_secret,
            "refresh_token": user.refresh_token, "token_uri": google.oauth.url + "/token"}))
        venv = self.venv
        # google-auth always sends an authorized_user file's refresh token to Google's host (it
        # overrides the file's token_uri): a sitecustomize moves that constant to the emulator.
        # It imports google.oauth2.credentials at start-up, which the plugin imports anyway.
        shim = self.work / "google-auth-shim"
        shim.mkdir(exist_ok=True)
        (shim / "sitecustomize.py").write_text(
            "import os\n"
            "if os.environ.get('BENCH_GOOGLE_TOKEN_ENDPOINT'):\n"
            "    import google.oauth2.credentials as _c\n"
            "    _c._GOOGLE_OAUTH2_TOKEN_ENDPOINT = os.environ['BENCH_GOOGLE_TOKEN_ENDPOINT']\n")
        flows = [Flow("laptop: Google ADC (authorized_user refresh token)", [
            self.indexkey("login", GAR_KEYRING_URL, "--registry", "google-artifact-registry", "--write", "shell"),
            Tool("keyring get + keyrings.google-artifactregistry-auth",
                 [str(venv / "bin" / "keyring"), "get", GAR_KEYRING_URL, "oauth2accesstoken"], "peer"),
            self.floor(f"POST|{google.oauth.url}/token|Content-Type: application/x-www-form-urlencoded|"
                       f"grant_type=refresh_token&refresh_token={q(user.refresh_token)}&client_id={q(user.client_id)}"
                       f"&client_secret={q(user.client_secret)}|access_token")],
            env={**no_ci, "CLOUDSDK_AUTH_TOKEN_HOST": google.oauth.url + "/token",
                 "BENCH_GOOGLE_TOKEN_ENDPOINT": google.oauth.url + "/token", "PYTHONPATH": str(shim)})]
        aws.add_domain(AWS_DOMAIN, AWS_ACCOUNT)
        keys = aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/dev")
        session = aws.sso.sign_in("dev", [(AWS_ACCOUNT, "Developer")])
        (home / ".aws" / "credentials").write_text(
            f"[static]\naws_access_key_id = {keys.access_key_id}\naws_secret_access_key = {keys.secret}\n")
        (home / ".aws" / "config").write_text(
            f"[profile static]\nregion = {AWS_REGION}\n"
            f"[profile sso]\nsso_session = corp\nsso_account_id = {AWS_ACCOUNT}\nsso_role_name = Developer\n"
            f"region = {AWS_REGION}\n[sso-session corp]\nsso_start_url = https://bench.awsapps.com/start\n"
            f"sso_region = {AWS_REGION}\nsso_registration_scopes = sso:account:access\n")
        import hashlib
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 8 * 3600))
        (home / ".aws" / "sso" / "cache" / (hashlib.sha1(b"corp").hexdigest() + ".json")).write_text(json.dumps({
            "startUrl": "https://bench.awsapps.com/start", "region": AWS_REGION, "accessToken": session.token,
            "expiresAt": expires}))
        endpoints = {"AWS_ENDPOINT_URL_CODEARTIFACT": aws.codeartifact.url, "AWS_ENDPOINT_URL_SSO": aws.sso.url,
                     "AWS_ENDPOINT_URL_STS": aws.sts.url}
        for profile in ("static", "sso"):
            flows.append(Flow(f"laptop: AWS profile ({'IAM Identity Center' if profile == 'sso' else 'static keys'})", [
                self.indexkey("login", CODEARTIFACT_URL, "--write", "shell"),
                Tool(f"aws codeartifact get-authorization-token --profile {profile} (AWS CLI)",
                     [str(venv / "bin" / "aws"), "codeartifact", "get-authorization-token", "--domain", AWS_DOMAIN,
                      "--domain-owner", AWS_ACCOUNT, "--query", "authorizationToken", "--output", "text"], "peer")],
                env={**no_ci, **endpoints, "AWS_PROFILE": profile}))
        return flows

    # -- measuring --------------------------------------------------------------
    def count(self, tool: Tool, env: dict[str, str]) -> tuple[int, int, dict[str, tuple[int, int]], Optional[int]]:
        """Requests, connections and bundle opens of one run. A Python tool the emulator refuses
        is reported (PeerFailed); indexkey or the floor failing ends the benchmark."""
        emu = self.emu
        before = {s: (len(emu.requests(s)), emu.connections(s)) for s in emu.services}
        trace = self.work / "openat.trace"
        tracer = [self.strace, "-f", "-qq", "-e", "trace=openat", "-o", str(trace)] if self.strace else []
        proc = subprocess.run(tracer + self.argv(tool), env=env, capture_output=True, text=True, timeout=120)
        opens = bundle_opens(trace) if self.strace else None
        if proc.returncode != 0 and tool.kind == "peer":
            last = [line for line in proc.stderr.splitlines() if line.strip()][-1:] or [f"exit {proc.returncode}"]
            raise PeerFailed(last[0][:300])
        if proc.returncode != 0:
            raise SystemExit(f"{tool.name} failed (exit {proc.returncode}):\n{proc.stderr[:1500]}\n…\n{proc.stderr[-1500:]}")
        time.sleep(0.05)  # let the emulator finish logging
        per = {}
        for s in emu.services:
            r, c = len(emu.requests(s)) - before[s][0], emu.connections(s) - before[s][1]
            if r or c:
                per[s] = (r, c)
        return sum(r for r, _ in per.values()), sum(c for _, c in per.values()), per, opens

    def time(self, flow: Flow, env: dict[str, str]) -> list[dict]:
        out = self.work / "hyperfine.json"
        cmd = ["hyperfine", "-N", "--style", "none", "--warmup", str(self.args.warmup), "--runs", str(self.args.runs),
               "--export-json", str(out)]
        for tool in flow.tools:
            cmd += ["-n", tool.name, shlex.join(self.argv(tool))]
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())["results"]

    def run(self) -> dict:
        results = []
        for flow in self.flows():
            if self.args.flows and self.args.flows not in flow.name:
                continue
            print(f"bench: {flow.name}", file=sys.stderr, flush=True)
            if flow.unavailable:
                results.append({"flow": flow.name, "unavailable": flow.unavailable})
                continue
            env = {**self.base_env(), **flow.env}
            if flow.prepare:
                flow.prepare()
            counts, failed = [], []
            for tool in list(flow.tools):
                try:
                    counts.append(self.count(tool, env))
                except PeerFailed as error:
                    flow.tools.remove(tool)
                    failed.append({"tool": tool.name, "failed": str(error)})
            timings = self.time(flow, env)
            rows = []
            for tool, (requests, connections, per, opens), t in zip(flow.tools, counts, timings):
                rows.append({"tool": tool.name, "kind": tool.kind, "median": t["median"] * 1000,
                             "min": t["min"] * 1000, "max": t["max"] * 1000, "mean": t["mean"] * 1000,
                             "cpu": (t["user"] + t["system"]) * 1000,
                             "requests": requests, "connections": connections, "bundle_opens": opens,
                             "per_service": {s: list(v) for s, v in per.items()}})
            results.append({"flow": flow.name, "rows": rows, "failed": failed})
        return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
                "runs": self.args.runs, "trust": self.args.trust, "rtt_ms": self.args.rtt or self.args.simulate_rtt,
                "rtt_mode": "netem" if self.args.rtt else "simulated in the emulator" if self.args.simulate_rtt else None,
                "results": results}


def install_ca(ca: Path, copy: Path) -> None:
    """Adds `ca` to the system trust store as update-ca-certificates would (appended to the bundle,
    linked by subject hash), on a copy of /etc/ssl/certs bind-mounted over it. Only inside a
    private mount namespace (run.sh makes one): the mount refuses to go ahead otherwise."""
    try:
        shared = os.readlink("/proc/self/ns/mnt") == os.readlink("/proc/1/ns/mnt")
    except OSError:
        shared = False
    if shared:
        raise SystemExit("bench: --trust system needs a private mount namespace (bench/run.sh makes one)")
    shutil.copytree(SYSTEM_CERTS, copy, symlinks=True)
    with open(copy / SYSTEM_BUNDLE.name, "a") as bundle:
        bundle.write(ca.read_text())
    shutil.copy(ca, copy / "indexkey-bench-ca.pem")
    digest = subprocess.run(["openssl", "x509", "-noout", "-subject_hash", "-in", str(ca)],
                            capture_output=True, text=True, check=True).stdout.strip()
    os.symlink("indexkey-bench-ca.pem", copy / f"{digest}.0")
    subprocess.run(["mount", "--bind", str(copy), str(SYSTEM_CERTS)], check=True)


def bundle_opens(trace: Path) -> int:
    """Successful opens of the system bundle in an strace -e openat log."""
    return sum(1 for line in trace.read_text().splitlines()
               if f'"{SYSTEM_BUNDLE}"' in line and " = -1 " not in line)


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"{report['date']} · {m['cores']} × {m['cpu']} · Linux {m['kernel']} · load average at the end "
             f"{m['load']} · {report['runs']} runs per command"
             + (f" · round trip {report['rtt_ms']:g} ms ({report['rtt_mode']})" if report.get("rtt_ms") else ""), "",
             f"trust: {'the system store (emulator CA installed as update-ca-certificates does)' if report.get('trust') == 'system' else 'a one-certificate SSL_CERT_FILE'}",
             "",
             "| flow | tool | median ms | min–max ms | CPU ms | × fastest Python | × floor | requests | TLS connections | bundle opens |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for flow in report["results"]:
        if "unavailable" in flow:
            lines.append(f"| {flow['flow']} | *not available in this build: {flow['unavailable']}* | | | | | | | | |")
            continue
        rows = flow["rows"]
        peers = [r["median"] for r in rows if r["kind"] == "peer"]
        floors = [r["median"] for r in rows if r["kind"] == "floor"]
        fastest, floor = (min(peers) if peers else None), (floors[0] if floors else None)
        for i, r in enumerate(rows):
            vs_peer = f"{r['median'] / fastest:.2f}" if fastest and r["kind"] != "reference" else ""
            vs_floor = f"{r['median'] / floor:.2f}" if floor and r["kind"] not in ("floor", "reference") else ""
            opens = "" if r.get("bundle_opens") is None else r["bundle_opens"]
            lines.append(f"| {flow['flow'] if i == 0 else ''} | {r['tool']} | {r['median']:.1f} | "
                         f"{r['min']:.1f}–{r['max']:.1f} | {r['cpu']:.1f} | {vs_peer} | {vs_floor} | {r['requests']} | {r['connections']} "
                         f"| {opens} |")
        for f in flow.get("failed", []):
            lines.append(f"| | {f['tool']}: *failed here, not measured: {f['failed']}* | | | | | | | | |")
    lines += ["", "CPU ms: user + system time of the command and its children (hyperfine's mean), which a loaded "
              "machine inflates much less than the wall time.", "",
              "Requests and connections per emulated service (requests/connections), one run of each command:", ""]
    for flow in report["results"]:
        for r in flow.get("rows", []):
            if r["per_service"]:
                detail = ", ".join(f"{s} {a}/{b}" for s, (a, b) in r["per_service"].items())
                lines.append(f"- {flow['flow']} — {r['tool']}: {detail}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.environ.get("INDEXKEY_BIN", str(ROOT / ".build/release/indexkey")))
    parser.add_argument("--venv", help="the Python tools' virtualenv (not with --only-indexkey)")
    parser.add_argument("--floor", help="the C floor's binary (not with --only-indexkey)")
    parser.add_argument("--only-indexkey", action="store_true", help="time indexkey only: no Python tools, no floors")
    parser.add_argument("--against", help="a second indexkey build, timed beside --bin in every indexkey row")
    parser.add_argument("--label", default="this build", help="the name of --bin's rows when --against is given")
    parser.add_argument("--against-label", help="the name of --against's rows (default: its file name)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rtt", type=float, default=0, help="the loopback round trip run.sh set up with netem (ms), for the report")
    parser.add_argument("--simulate-rtt", type=float, default=0, help="delay every emulated service by this round trip (ms)")
    parser.add_argument("--out", help="also write the JSON report here")
    parser.add_argument("--flows", help="only the flows whose name contains this text (e.g. laptop)")
    parser.add_argument("--trust", choices=["system", "ca-file"], default="ca-file",
                        help="system: the emulator's CA in the system store (needs a private mount namespace)")
    args = parser.parse_args()
    if not args.only_indexkey and not (args.venv and args.floor):
        parser.error("--venv and --floor are needed unless --only-indexkey")
    with tempfile.TemporaryDirectory(prefix="indexkey-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        try:
            report = bench.run()
        finally:
            bench.emu.stop()
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    sys.stdout.write(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
