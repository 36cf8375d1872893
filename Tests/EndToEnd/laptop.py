"""A laptop's sign-ins as real files in the sandbox's HOME, for the end-to-end tests of
the local credential chains: `~/.aws/config` and `credentials`, IAM Identity Center's token
cache, gcloud's configuration directory (ADC file, active account, credential store) and
a fake `gcloud` on PATH. Every file holding a secret is registered with the leak check as
an input (the one place that secret may be)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Optional

FAKES = Path(__file__).resolve().parent / "fakes"


def iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(int(ts), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Laptop:
    def __init__(self, box, emu) -> None:
        self.box = box
        self.emu = emu
        self.home: Path = box.home

    def _secret_file(self, path: Path, text: str, mode: int = 0o600) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)
        self.box.leaks.add_input(path)
        return path

    # -- AWS --------------------------------------------------------------
    def aws_config(self, text: str) -> Path:
        return self._secret_file(self.home / ".aws" / "config", text)

    def aws_credentials(self, text: str) -> Path:
        return self._secret_file(self.home / ".aws" / "credentials", text)

    def sso_cache(self, key: str, token: str, expires: Optional[float] = None, region: str = "eu-west-1") -> Path:
        """What `aws sso login` leaves: `key` is the sso-session name or the legacy start URL."""
        name = hashlib.sha1(key.encode()).hexdigest() + ".json"
        body = {"startUrl": "https://emulated.awsapps.com/start", "region": region, "accessToken": token,
                "expiresAt": iso(expires if expires is not None else time.time() + 8 * 3600)}
        return self._secret_file(self.home / ".aws" / "sso" / "cache" / name, json.dumps(body))

    def aws_env(self, **extra: str) -> dict[str, str]:
        """The emulator's endpoints the way the AWS SDKs take them, and no instance metadata."""
        aws = self.emu.aws
        return {"AWS_ENDPOINT_URL_STS": aws.sts.url, "AWS_ENDPOINT_URL_CODEARTIFACT": aws.codeartifact.url,
                "AWS_ENDPOINT_URL_SSO": aws.sso.url, "AWS_EC2_METADATA_DISABLED": "true", **extra}

    # -- Google -----------------------------------------------------------
    @property
    def gcloud_dir(self) -> Path:
        return self.home / ".config" / "gcloud"

    def adc(self, info: dict) -> Path:
        return self._secret_file(self.gcloud_dir / "application_default_credentials.json", json.dumps(info, indent=2))

    def adc_user(self, user) -> Path:
        """`gcloud auth application-default login` for `user` (an emulator AuthorizedUser)."""
        return self.adc({"account": "", "client_id": user.client_id, "client_secret": user.client_secret,
                         "quota_project_id": "emulated-project", "refresh_token": user.refresh_token,
                         "type": "authorized_user", "universe_domain": "googleapis.com"})

    def gcloud_login(self, user, configuration: str = "default") -> None:
        """`gcloud auth login` for `user`: the account in the configuration, its credential stored."""
        configs = self.gcloud_dir / "configurations"
        configs.mkdir(parents=True, exist_ok=True)
        (self.gcloud_dir / "active_config").write_text(configuration)
        (configs / f"config_{configuration}").write_text(f"[core]\naccount = {user.email}\n")
        db = self.gcloud_dir / "credentials.db"
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS credentials (account_id TEXT PRIMARY KEY, value BLOB)")
            conn.execute("INSERT OR REPLACE INTO credentials VALUES (?, ?)", (user.email, json.dumps({
                "client_id": user.client_id, "client_secret": user.client_secret,
                "refresh_token": user.refresh_token, "type": "authorized_user"})))
        conn.close()
        db.chmod(0o600)
        self.box.leaks.add_input(db)

    def fake_path(self) -> str:
        """PATH with the fake gcloud first."""
        return f"{FAKES}:{os.environ.get('PATH', '/usr/bin:/bin')}"

    def google_env(self, **extra: str) -> dict[str, str]:
        """The emulator's endpoints as gcloud takes them; no metadata server unless asked."""
        google = self.emu.google
        return {"CLOUDSDK_AUTH_TOKEN_HOST": google.oauth.url + "/token",
                "CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS": google.iam.url + "/",
                "NO_GCE_CHECK": "true", **extra}
