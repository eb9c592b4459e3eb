"""What an import would do, before anything is written: the neutral result every format's reader
produces and `apply_plan` carries out.

Secret values are held here in memory only (`repr=False`); reports carry secret names, never values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.core.profiles import Profile
from app.core.request_spec import RequestSpec


class SecretUse(StrEnum):
    CLIENT_SECRET = "client_secret"
    VARIABLE = "variable"  # a secret {{variable}}: an API key, a password


@dataclass(frozen=True)
class PlannedSecret:
    kind: SecretUse
    name: str  # the variable's name, or "client secret"
    value: str = field(repr=False)
    environment: str = ""  # "" is the profile itself


@dataclass(frozen=True)
class PlannedRequest:
    folder: tuple[str, ...]
    title: str
    spec: RequestSpec
    note: str = ""  # e.g. "needs orders:read"

    @property
    def saved_name(self) -> str:
        """The name it is saved under: folder path and title, as people read it."""
        return " / ".join((*self.folder, self.title))


@dataclass(frozen=True)
class SourceReport:
    """What a person should know about one source file."""

    path: str
    secrets: tuple[str, ...] = ()  # names of values that were secrets (to remove from the source)
    kept_without_auth: tuple[str, ...] = ()  # "Get user (basic auth)"
    warnings: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The report in plain lines, for the CLI and the window alike."""
        out: list[str] = []
        if self.secrets:
            out.append(
                f"{self.path}: holds secrets ({', '.join(self.secrets)}); they are now in the "
                "keychain, so you can remove them from this file."
            )
        out += [f"{self.path}: kept without auth: {item}" for item in self.kept_without_auth]
        out += [f"{self.path}: {warning}" for warning in self.warnings]
        return out


@dataclass(frozen=True)
class PlannedProfile:
    profile: Profile
    source_key: str  # stable across re-imports of the same source: "postman:<collection id>"
    secrets: tuple[PlannedSecret, ...] = ()
    requests: tuple[PlannedRequest, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    profiles: tuple[PlannedProfile, ...] = ()
    reports: tuple[SourceReport, ...] = ()

    def summary(self) -> str:
        """One line before anything is written: “3 profiles, 27 requests, 2 environments; 2 client
        secrets go into the keychain”."""
        requests = sum(len(p.requests) for p in self.profiles)
        environments = sum(len(p.profile.environments) for p in self.profiles)
        parts = [
            _count(len(self.profiles), "profile"),
            _count(requests, "request"),
            _count(environments, "environment"),
        ]
        secrets = [s for p in self.profiles for s in p.secrets]
        client = sum(1 for s in secrets if s.kind is SecretUse.CLIENT_SECRET)
        other = len(secrets) - client
        moved = [_count(client, "client secret")] if client else []
        moved += [_count(other, "secret variable")] if other else []
        text = ", ".join(parts)
        if moved:
            verb = "goes" if len(secrets) == 1 else "go"
            text += f"; {' and '.join(moved)} {verb} into the keychain"
        return text


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
