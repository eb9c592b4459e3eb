"""Carry out an ImportPlan: secrets into the keychain first, then the profiles, then the saved
requests — all or nothing. Importing the same source again updates what the last import made
(matched by `Profile.import_source`) and says what changed.

Nothing here reads or writes the source files; the plan already holds everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.core.environments import environment_id
from app.core.errors import ImportSourceError, TokendeskError
from app.core.profiles import Problem, Profile
from app.core.secrets import SecretKind, SecretStore
from app.importers.plan import ImportPlan, PlannedProfile, SecretUse
from app.storage.history_store import HistoryStore, ImportedRequest
from app.storage.profile_store import ProfileStore

# Fields a person may have set on an imported profile that no source knows about: kept.
_KEPT_ON_UPDATE = (
    "name",
    "allowed_origins",
    "verify_tls",
    "ca_bundle",
    "auto_refresh",
    "extra_params",
)
_COMPARED = (
    "token_url",
    "client_id",
    "scopes",
    "audience",
    "api_base_url",
    "variables",
    "environments",
)


@dataclass(frozen=True)
class ApplyReport:
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()  # one line a profile: what this import changed in it
    secrets_stored: int = 0

    def summary(self) -> str:
        parts = []
        if self.created:
            parts.append(f"created {', '.join(self.created)}")
        if self.updated:
            parts.append(f"updated {', '.join(self.updated)}")
        text = "Imported: " + "; ".join(parts) if parts else "Nothing to import."
        if self.secrets_stored:
            text += f"; {self.secrets_stored} secret(s) stored in the keychain"
        return text + "."


async def apply_plan(
    plan: ImportPlan, *, store: ProfileStore, secrets: SecretStore, history: HistoryStore
) -> ApplyReport:
    existing = store.load()
    targets = _targets(plan, existing)
    _validate(targets)
    undo = await _store_secrets(targets, secrets)
    try:
        store.save_all(profile for _, profile in targets)
        try:
            changes = _save_requests(targets, history, existing)
        except Exception:
            # Undo this import only: what others wrote meanwhile stays.
            before = {p.id: p for p in existing}
            store.save_all(before[p.id] for _, p in targets if p.id in before)
            store.remove_all(p.id for _, p in targets if p.id not in before)
            raise
    except BaseException:
        await _restore(undo, secrets)
        raise
    known = {p.id for p in existing}
    return ApplyReport(
        created=tuple(p.name for _, p in targets if p.id not in known),
        updated=tuple(p.name for _, p in targets if p.id in known),
        changes=tuple(changes),
        secrets_stored=len(undo),
    )


def _targets(plan: ImportPlan, existing: list[Profile]) -> list[tuple[PlannedProfile, Profile]]:
    by_source = {p.import_source: p for p in existing if p.import_source}
    taken = {p.name.strip().casefold() for p in existing}
    targets = []
    for planned in plan.profiles:
        profile = planned.profile.with_changes(import_source=planned.source_key)
        old = by_source.get(planned.source_key)
        if old is not None:
            profile = profile.with_changes(
                id=old.id, **{key: getattr(old, key) for key in _KEPT_ON_UPDATE}
            )
        else:
            name, n = profile.name, 2
            while name.strip().casefold() in taken:
                name, n = f"{profile.name} ({n})", n + 1
            profile = profile.with_changes(name=name)
        taken.add(profile.name.strip().casefold())
        targets.append((planned, profile))
    return targets


def _validate(targets: list[tuple[PlannedProfile, Profile]]) -> None:
    problems: list[tuple[str, Problem]] = [
        (profile.name, problem)
        for _, profile in targets
        for problem in profile.problems()
        if problem.blocking and not _filled_later(profile, problem)
    ]
    if problems:
        name, first = problems[0]
        raise ImportSourceError(
            f"“{name}” cannot be imported: {first.message}",
            "Nothing was imported. Fix it in the source file and import again.",
            details="\n".join(f"{n}: {p.field}: {p.message}" for n, p in problems),
        )


def _filled_later(profile: Profile, problem: Problem) -> bool:
    """A missing client ID or token URL: the profile imports and waits for them."""
    if problem.field == "client_id":
        return not profile.client_id
    if problem.field == "token_url":
        return not profile.token_url and not profile.issuer_url
    return False


async def _store_secrets(
    targets: list[tuple[PlannedProfile, Profile]], secrets: SecretStore
) -> list[tuple[str, SecretKind, str | None]]:
    """Write every secret; return what was there before each write, to undo on failure."""
    writes: dict[tuple[str, SecretKind], str] = {}
    for planned, profile in targets:
        variables: dict[str, dict[str, str]] = {}
        for secret in planned.secrets:
            owner = environment_id(profile.id, secret.environment)
            if secret.kind is SecretUse.CLIENT_SECRET:
                writes[(owner, SecretKind.CLIENT_SECRET)] = secret.value
            else:
                variables.setdefault(owner, {})[secret.name] = secret.value
        for owner, values in variables.items():
            writes[(owner, SecretKind.VARIABLES)] = json.dumps(values)
    undo: list[tuple[str, SecretKind, str | None]] = []
    try:
        for (owner, kind), value in writes.items():
            before = await secrets.get(owner, kind)
            await secrets.set(owner, kind, value)
            undo.append((owner, kind, before))
    except BaseException:
        await _restore(undo, secrets)
        raise
    return undo


async def _restore(undo: list[tuple[str, SecretKind, str | None]], secrets: SecretStore) -> None:
    for owner, kind, before in reversed(undo):
        try:
            if before is None:
                await secrets.delete(owner, kind)
            else:
                await secrets.set(owner, kind, before)
        except TokendeskError:
            continue  # the keychain failed again; the original error is the one to show


def _save_requests(
    targets: list[tuple[PlannedProfile, Profile]], history: HistoryStore, existing: list[Profile]
) -> list[str]:
    before = {p.id: p for p in existing}
    lines = []
    for planned, profile in targets:
        values = tuple(s.value for s in planned.secrets)
        result = history.replace_imported(
            profile.id,
            [ImportedRequest(r.saved_name, r.spec, r.folder, r.note) for r in planned.requests],
            values,
        )
        parts = [
            f"{len(names)} request(s) {verb}"
            for names, verb in (
                (result.added, "added"),
                (result.changed, "changed"),
                (result.removed, "removed"),
            )
            if names
        ]
        old = before.get(profile.id)
        if old is not None:
            fields = [
                k.replace("_", " ") for k in _COMPARED if getattr(old, k) != getattr(profile, k)
            ]
            parts += [f"changed {', '.join(fields)}"] if fields else []
        lines.append(f"{profile.name}: {'; '.join(parts) or 'no changes'}")
    return lines
