"""Loopback emulator of the services indexkey talks to, for end-to-end tests.

    from emulator import Emulator, faults

    with Emulator() as emu:
        emu.entra.add_app(TENANT, CLIENT_ID, federated=[...])
        emu.inject("entra", f"/{TENANT}/", faults.status(503))
        ...
        emu.requests("entra"); emu.connections("entra")
        emu.reset()

Each service (`core.Service`) listens on its own 127.0.0.1 port. The
emulator owns them, a shared request log, the fault plan, and the keys of the
emulated OIDC issuers that token exchanges trust.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

from . import faults
from .aws import AWSCloud
from .ci import CIIssuers
from .core import Request, RequestLog, RequestRecord, Response, Service
from .entra import EXCHANGE_AUDIENCE, EntraService, register_azure_artifacts
from .faults import Fault, FaultPlan
from .github import GitHubIssuer
from .google import GoogleCloud
from .index import PackageIndex
from .chainguard import ChainguardSTS, register_chainguard_libraries
from .gitlab import GitLabRegistry
from .jfrog import JFrogAccess
from .pypi import PyPIWarehouse
from .jwt import SigningKey
from .managed_identity import ManagedIdentityEndpoints
from .vssps import VisualStudioIdentity

__all__ = ["Emulator", "Service", "Request", "Response", "RequestRecord", "Fault", "faults"]


class Emulator:
    def __init__(self, packages_dir: Optional[str] = None) -> None:
        self._started = False
        self.log = RequestLog()
        self.faults = FaultPlan()
        self.abort_event = threading.Event()
        self._trusted_keys: dict[str, SigningKey] = {}
        self.services: dict[str, Service] = {}
        self.github = self.add(GitHubIssuer(self))
        self.trust(self.github.key)
        self.entra = self.add(EntraService(self))
        self.vssps = self.add(VisualStudioIdentity(self))
        self.azure_mi = self.add(ManagedIdentityEndpoints(self))
        self.index = self.add(PackageIndex(self, packages_dir))
        self.ci = self.add(CIIssuers(self))
        self.trust(self.ci.key)
        register_azure_artifacts(self.index, self.entra)
        self.google = GoogleCloud(self)
        self.aws = AWSCloud(self)
        self.chainguard = self.add(ChainguardSTS(self))
        register_chainguard_libraries(self.index, self.chainguard)
        self.jfrog = self.add(JFrogAccess(self))
        self.pypi = self.add(PyPIWarehouse(self))
        self.gitlab = self.add(GitLabRegistry(self))

    # -- composition -----------------------------------------------------
    def add(self, service: Any) -> Any:
        """Own `service` (started with the others); returns it."""
        if service.name in self.services:
            raise ValueError(f"a service named {service.name!r} exists already")
        self.services[service.name] = service
        if self._started:
            service.start()
        return service

    def trust(self, key: SigningKey) -> None:
        """Let token exchanges accept assertions signed by `key` (an emulated issuer's)."""
        self._trusted_keys[key.kid] = key

    def trusted_key(self, kid: Any) -> Optional[SigningKey]:
        return self._trusted_keys.get(kid) if isinstance(kid, str) else None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> "Emulator":
        for service in self.services.values():
            service.start()
        self._started = True
        return self

    def stop(self) -> None:
        self.abort_event.set()
        for service in self.services.values():
            service.stop()
        self._started = False

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget everything a test did: log, faults, issued tokens, apps, claims, uploads.

        Requests still in flight (a `slow` fault) are cut short and not logged.
        """
        self.abort_event.set()
        self.abort_event = threading.Event()
        self.faults.clear()
        self.log.clear()
        for service in self.services.values():
            service.reset()

    # -- what tests read and do ---------------------------------------------
    def requests(self, service: Optional[str] = None) -> list[RequestRecord]:
        return self.log.records(service)

    def connections(self, service: str) -> int:
        """Connections `service` accepted since the last reset."""
        return self.services[service].connections_since_reset

    def inject(self, service: str, path_prefix: str, fault_list: Any) -> None:
        """Queue faults (a `Fault` or a list) for requests to `service` under `path_prefix`."""
        if service not in self.services:
            raise KeyError(f"no service named {service!r}")
        self.faults.inject(service, path_prefix, fault_list)

    def trust_github(self, tenant: str, client_id: str, secret: Optional[str] = None,
                     subject: Optional[str] = None) -> Any:
        """Register an Entra app whose federated credential accepts the emulated
        GitHub's tokens for `subject` (default: the subject GitHub issues now)."""
        claims = self.github.claims
        return self.entra.add_app(tenant, client_id, secret=secret, federated=[{
            "issuer": claims["iss"], "subject": subject or claims["sub"],
            "audience": EXCHANGE_AUDIENCE}])

    def urls(self) -> dict[str, str]:
        return {name: s.url for name, s in self.services.items()}
