"""Desk's import use cases: Postman, Insomnia, Bruno and OpenAPI into profiles, environments and
saved requests. A mixin so `Desk` stays one small class per concern."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.desk import events

if TYPE_CHECKING:
    from app.core.http_clients import HttpClients
    from app.core.secrets import SecretStore
    from app.importers.apply import ApplyReport
    from app.importers.plan import ImportPlan
    from app.storage.history_store import HistoryStore
    from app.storage.profile_store import ProfileStore


class ImportUseCases:
    store: ProfileStore
    _secrets: SecretStore
    _http: HttpClients
    _hub: events.Hub

    if TYPE_CHECKING:  # the history mixin provides it (absent at run time: see requests.py)

        @property
        def history(self) -> HistoryStore: ...

    def read_import(self, paths: list[Path]) -> ImportPlan:
        """What importing these files (Postman, Bruno, …) would create; nothing is written."""
        from app.importers import read_sources

        return read_sources(paths)

    async def read_import_url(self, url: str) -> ImportPlan:
        """The same for an API description at an address, fetched with the app's client."""
        from app.desk.remote_import import fetch_document
        from app.importers import read_document

        return read_document(await fetch_document(self._http.get(), url), url.strip())

    async def apply_import(self, plan: ImportPlan) -> ApplyReport:
        """Write a plan: secrets into the keychain first, then profiles and saved requests, all
        or nothing; importing the same source again updates what it created."""
        from app.importers.apply import apply_plan

        report = await apply_plan(
            plan, store=self.store, secrets=self._secrets, history=self.history
        )
        self._hub.emit(events.ProfilesChanged())
        return report
