"""Azure Artifacts on a developer's laptop: indexkey's keyring link against keyrings.artifacts
(PyPI), the keyring plugin people use for this today, on the same emulator.

Both use the same signed-in Azure CLI (the stand-in `az` of the end-to-end tests, which keeps
and refreshes its tokens as az does). keyrings.artifacts only answers for Azure DevOps host
names; a `sitecustomize` adds the emulator's `host:port` to its list, which changes nothing
else it does. Two paths:

* cached: the credential from the previous lookup. indexkey answers from its cache file;
  keyrings.artifacts reads the PAT it keeps in its encrypted file keyring and checks it against
  the feed (one GET), as it does on every lookup.
* refresh (nothing cached): indexkey asks az (INDEXKEY_NO_CACHE=1), or redeems the refresh
  token of its own kept device-code sign-in; keyrings.artifacts in bearer mode asks az
  through azure-identity's AzureCliCredential.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
from pathlib import Path

from laptop_support import FAKES, az_sign_in

UPN = "dev@contoso.example"


def azure_laptop_flows(bench, Flow, Tool) -> list:
    emu = bench.emu
    tenant = "5c3b7a1e-2f4d-4c6b-8a9e-0d1c2b3a4f5e"
    emu.entra.users.add_user(UPN, tenant)
    emu.vssps.org_tenants["org"] = tenant
    work = bench.work / "laptop"
    work.mkdir(exist_ok=True)
    feed = bench.azure_feed()
    netloc = urllib.parse.urlsplit(feed).netloc
    link = work / "bin"
    home = work / "home"
    home.mkdir(exist_ok=True)
    az_dir = work / "azure"
    az_sign_in(emu, az_dir, UPN, tenant)
    # No CI and no app: an empty variable is an unset one for indexkey and for azure-identity.
    no_ci = {name: "" for name in ("GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                                   "AZURE_CLIENT_ID", "AZURE_TENANT_ID")}
    subprocess.run([bench.binary, "keyring", "install", str(link)], env=bench.base_env(), check=True, capture_output=True)
    shim = work / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text(
        "import os\n"
        "if os.environ.get('BENCH_ARTIFACTS_NETLOC'):\n"
        "    import keyrings_artifacts.artifacts as _a\n"
        "    _a.ArtifactsKeyringBackend.SUPPORTED_NETLOC += (os.environ['BENCH_ARTIFACTS_NETLOC'],)\n")
    env = {
        **no_ci, "HOME": str(home), "PATH": f"{link}:{FAKES}:{os.environ['PATH']}", "AZURE_CONFIG_DIR": str(az_dir),
        "INDEXKEY_REGISTRY": f"{netloc}=azure-artifacts", "AZURE_AUTHORITY_HOST": emu.entra.url,
        "INDEXKEY_AZURE_VSSPS_ENDPOINT": emu.vssps.url, "XDG_CACHE_HOME": str(work / "cache"),
        "BENCH_ARTIFACTS_NETLOC": netloc, "PYTHONPATH": str(shim), "ACCT_KEY": _fernet_key(),
    }
    full = {**bench.base_env(), **env}
    helper = str(link / "keyring")
    venv_keyring = str(Path(bench.venv) / "bin" / "keyring")
    signed_in = work / "signed-in"
    signed_in.mkdir(exist_ok=True)

    def warm() -> None:
        for argv in ([helper, "get", feed, "EntraToken"],
                     bench.argv(Tool("", [venv_keyring, "get", feed, "VssSessionToken"], "peer"))):
            proc = subprocess.run(argv, env=full, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"bench: {argv[-4:]} failed: {proc.stderr[-2000:]}")
        _keep_sign_in(bench, emu, signed_in, feed, full)

    cached = Flow("laptop: Azure Artifacts, cached lookup (keyring get)", [
        Tool("indexkey keyring get (cache file)", [helper, "get", feed, "EntraToken"], "indexkey"),
        Tool("keyring get + keyrings.artifacts 1.0.2 (its kept PAT, checked with a GET)",
             [venv_keyring, "get", feed, "VssSessionToken"], "peer"),
    ], env=env, prepare=warm)
    refresh = Flow("laptop: Azure Artifacts, nothing cached (keyring get)", [
        Tool("indexkey keyring get via az (INDEXKEY_NO_CACHE=1)",
             ["env", "INDEXKEY_NO_CACHE=1", helper, "get", feed, "EntraToken"], "indexkey"),
        Tool("indexkey keyring get via its kept sign-in (refresh token; INDEXKEY_NO_CACHE=1, no az)",
             ["env", "INDEXKEY_NO_CACHE=1", f"PATH={link}:{os.environ['PATH']}", f"HOME={signed_in}",
              helper, "get", feed, "EntraToken"], "indexkey"),
        Tool("keyring get + keyrings.artifacts 1.0.2, bearer mode (az via azure-identity)",
             ["env", "KEYRINGS_ARTIFACTS_USE_BEARER_TOKEN=true", venv_keyring, "get", feed, "VssSessionToken"], "peer"),
        Tool("az account get-access-token alone (the stand-in az)",
             ["az", "account", "get-access-token", "--resource", "499b84ac-1321-427f-aa17-267ca6975798", "--output", "json"],
             "reference"),
    ], env=env)
    return [cached, refresh]


def _fernet_key() -> str:
    import base64
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _keep_sign_in(bench, emu, home: Path, feed: str, env: dict) -> None:
    """A device-code sign-in done once, as a person would on a terminal (the code approved at the
    emulated browser): its refresh token is then in the store under `home`."""
    from laptop_support import Terminal
    emu.entra.users.interval = 1
    run_env = {**env, "HOME": str(home), "PATH": f"{Path(env['PATH'].split(':')[0])}:{os.environ['PATH']}",
               "INDEXKEY_NO_CACHE": "1"}
    terminal = Terminal([str(Path(env["PATH"].split(":")[0]) / "keyring"), "get", feed, "EntraToken"], run_env)
    emu.entra.users.approve(terminal.user_code(), UPN)
    code, _, err = terminal.finish()
    if code != 0:
        raise SystemExit(f"bench: the device-code sign-in failed: {err}")
