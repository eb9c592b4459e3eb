"""Drives the profile list and the editor: select, create, save (secrets to the keychain first),
test, duplicate, rename, delete, import, export."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.core.certs import CertificateCredential
from app.core.errors import ProfileChangedError, ProfileError, ProfileStoreError, TokendeskError
from app.core.profiles import Profile
from app.core.providers import PresetResult
from app.core.timefmt import span
from app.services.workbench import Workbench
from app.ui.profiles.editor import ProfileEditor
from app.ui.profiles.file_watch import ProfilesFileWatcher
from app.ui.profiles.list_panel import ProfileListPanel
from app.ui.profiles.preset_dialog import PresetDialog
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner

Certificates = list[tuple[CertificateCredential, bool]]


class ProfilesController(QObject):
    """Signals:
    profile_selected(object): the Profile now selected, or None.
    editing_started(): a new profile's blank form is shown (the window shows the editor).
    became_empty(): the last profile was deleted (the window shows the welcome).
    """

    profile_selected = Signal(object)
    editing_started = Signal()
    became_empty = Signal()

    def __init__(
        self,
        workbench: Workbench,
        panel: ProfileListPanel,
        *,
        editor: ProfileEditor,
        prompter: Prompter,
        notify: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.desk = workbench.desk
        self.panel = panel
        self.editor = editor
        self._prompter = prompter
        self._notify = notify
        self.tasks = TaskRunner(self._editor_error)
        self._quiet = False
        self._saving = False
        self.preset_dialog: PresetDialog | None = None
        panel.selected.connect(self._selected)
        panel.new_requested.connect(self.new_profile)
        panel.new_button.clicked.connect(self.new_profile)
        panel.preset_requested.connect(self.new_from_preset)
        panel.duplicate_requested.connect(self.duplicate)
        panel.rename_requested.connect(self.rename)
        panel.delete_requested.connect(self.delete)
        panel.import_requested.connect(self.import_profiles)
        panel.export_requested.connect(self.export_profiles)
        editor.save_requested.connect(self.save)
        editor.test_requested.connect(self.test_connection)
        editor.changed.connect(self._validate_quietly)
        # Another window or `tokendesk profile …` may write the file while this one is open.
        with contextlib.suppress(ProfileStoreError):  # the window's start shows that one
            self.desk.refresh_profiles()
        self.watcher = ProfilesFileWatcher(self.desk.profiles_path, self)
        self.watcher.changed.connect(self.refresh_from_file)

    def _editor_error(self, error: TokendeskError) -> None:
        self.editor.test_result.setVisible(False)
        self.editor.test_error.show_error(error)

    def current(self) -> Profile | None:
        pid = self.panel.selected_id()
        return self.desk.profile(pid) if pid else None

    def reload(self, keep: str | None = None) -> None:
        self.panel.set_profiles(self.desk.profiles(), keep)
        if not self.desk.profiles():
            self.became_empty.emit()

    def _selected(self, profile_id: str) -> None:
        shown = self.editor.profile.id if self.editor.profile else ""
        if self._saving and not self._quiet and profile_id != shown:
            # Disabling Save hands the focus to the list, which then selects its first row;
            # the save selects what it saved when it ends.
            self._show_in_list(shown)
            return
        if not self._quiet and profile_id != shown and self.editor.is_dirty():
            # Stay on the edited profile until the person decides; then go where they clicked.
            self._show_in_list(shown)
            self.leave(lambda: self.panel.select(profile_id) if profile_id else None)
            return
        profile = self.desk.profile(profile_id) if profile_id else None
        self.editor.load(profile)
        self.profile_selected.emit(profile)
        if profile is not None:
            self.tasks.run("stored", self._load_stored(profile), on_error=lambda _e: None)

    def _show_in_list(self, profile_id: str) -> None:
        self.panel.list.blockSignals(True)
        if profile_id:
            self.panel.select(profile_id)
        else:
            self.panel.list.clearSelection()
            self.panel.list.setCurrentRow(-1)
        self.panel.list.blockSignals(False)
        self.panel.update_actions()

    def set_profiles(self, keep: str | None) -> None:
        """Rebuild the list and select `keep` without asking about the form: the caller has
        already saved it or decided to leave it."""
        self._quiet = True
        try:
            self.panel.set_profiles(self.desk.profiles(), keep)
        finally:
            self._quiet = False

    def leave(self, then: Callable[[], object]) -> None:
        """Run `then` once the form's edits are saved or dropped; nothing if the person cancels."""
        if not self.editor.is_dirty():
            then()
            return
        answer = self._prompter.ask_save_changes(self.editor.display_name())
        if answer == "discard":
            self.editor.revert()
            then()
        elif answer == "save":
            self.save(after=then)

    async def _load_stored(self, profile: Profile) -> None:
        stored = await self.desk.stored_secrets(profile)
        if not shiboken6.isValid(self.editor):
            return  # the window closed while the keychain answered
        editor_profile = self.editor.profile
        if editor_profile is not None and editor_profile.id == profile.id:
            self.editor.set_stored(stored)  # never reload: the person may be typing already

    # Creating and saving -------------------------------------------------------------------

    def new_profile(self) -> None:
        self.leave(self._new_profile)

    def _new_profile(self) -> None:
        self._quiet = True
        self.panel.list.clearSelection()
        self.panel.list.setCurrentRow(-1)
        self._quiet = False
        self.editor.load(None)
        self.profile_selected.emit(None)
        self.editor.name.setFocus()
        self.editing_started.emit()

    def new_from_preset(self) -> None:
        """The provider picker; its answers become a new profile in the editor, ready to save."""
        self.leave(self._new_from_preset)

    def _new_from_preset(self) -> None:
        dialog = PresetDialog(self._prompter.open_file, self.editor.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.built.connect(self._preset_built)
        dialog.finished.connect(lambda _r: setattr(self, "preset_dialog", None))
        self.preset_dialog = dialog
        dialog.open()  # window-modal, without a nested event loop

    def _preset_built(self, result: PresetResult) -> None:
        self._new_profile()
        self.editor.start_from(result.profile, result.client_secret or "", result.private_key or "")
        self._notify(f"“{result.profile.name}” is filled in: check it, then Save.")

    def _validate_quietly(self) -> None:
        self.editor.recheck()

    def save(self, after: Callable[[], object] | None = None) -> None:
        """Save the form; `after` runs once it is saved (not if it could not be)."""
        problems = self.editor.problems()
        self.editor.show_problems(problems)
        if any(p.blocking for p in problems):
            self._notify("Not saved yet: fix the highlighted fields.")
            self.editor.focus_first_problem()
            return
        profile = self.editor.to_model()
        secret = self.editor.secret_value()
        key = self.editor.key_value()
        certificates = self.editor.pending_certificates()
        keychain = self.desk.keychain_error
        typed = secret or key or certificates
        if keychain is not None and typed and not self.desk.secrets_in_memory:
            self._editor_error(keychain)
            self._notify("Not saved: the OS keychain is unavailable, and secrets go nowhere else.")
            return
        self._run_save(profile, secret, key, certificates, self.editor.profile, after)

    def _run_save(  # noqa: PLR0917 - what was typed travels together
        self,
        profile: Profile,
        secret: str,
        key: str,
        certificates: Certificates,
        base: Profile | None,
        after: Callable[[], object] | None,
    ) -> None:
        self._saving = True
        self.tasks.run(
            "save",
            self._save(profile, secret, key, certificates, base),
            busy=[self.editor.save_button],
            on_error=lambda e: self._save_failed(e, profile, secret, key, certificates, after),
            on_done=lambda: self._saved(profile, after),
        )

    def _save_failed(  # noqa: PLR0917
        self,
        error: TokendeskError,
        profile: Profile,
        secret: str,
        key: str,
        certificates: Certificates,
        after: Callable[[], object] | None,
    ) -> None:
        if not isinstance(error, ProfileChangedError):
            self._editor_error(error)
            return
        # Asked once the save task has ended: a modal question inside a running task would
        # nest the event loop in it.
        typed = (secret, key, certificates)
        QTimer.singleShot(0, self, lambda: self._resolve_conflict(error, profile, *typed, after))

    def _resolve_conflict(  # noqa: PLR0917
        self,
        error: ProfileChangedError,
        profile: Profile,
        secret: str,
        key: str,
        certificates: Certificates,
        after: Callable[[], object] | None,
    ) -> None:
        """Both versions are whole: the person's form and the file's. Keep one of them."""
        theirs = error.current
        what = "changed" if theirs is not None else "deleted"
        answer = self._prompter.choose(
            "Changed elsewhere",
            f"“{profile.name}” was {what} in another window or on the command line while you "
            "edited it.\n\nKeep mine: save your version over it. Use theirs: drop your edit "
            "and show theirs. Cancel: keep editing; nothing is saved yet.",
            ["Keep mine", "Use theirs"],
            "Keep mine",
        )
        if answer == "Keep mine":
            self._run_save(profile, secret, key, certificates, theirs, after)
        elif answer == "Use theirs":
            self.set_profiles(theirs.id if theirs is not None else None)  # reloads the form
            if not self.desk.profiles():
                self.became_empty.emit()
            self._notify(f"Showing the version of “{profile.name}” saved elsewhere.")
            if after is not None:
                after()
        else:
            self._notify("Not saved: your edit is still in the form.")

    def _saved(self, profile: Profile, after: Callable[[], object] | None) -> None:
        self._saving = False
        if after is not None and self.desk.profile(profile.id) and not self.editor.is_dirty():
            after()

    async def _save(
        self,
        profile: Profile,
        secret: str,
        key: str,
        certificates: Certificates,
        base: Profile | None,
    ) -> None:
        if key:
            self.desk.check_private_key(
                key
            )  # a clear error now beats one at the first token request
        saved = await self.desk.save_profile(
            profile,
            secret=secret or None,
            private_key=key or None,
            base=base,
            certificates=certificates,
        )
        self.set_profiles(saved.id)
        where = (
            "Secrets are kept in memory until you quit (no keychain)."
            if self.desk.secrets_in_memory
            else "Secrets are in the OS keychain."
        )
        self._notify(f"Saved “{saved.name}”. {where}")
        # Selecting it above already reloads the editor with what the keychain now holds.

    # Outside changes ----------------------------------------------------------------------

    def refresh_from_file(self) -> None:
        """The file changed (another window, the CLI): show its profiles. A form with edits is
        left alone (its save then asks whose version to keep); a clean one shows the new
        version of its profile."""
        try:
            if not self.desk.refresh_profiles():
                return
            profiles = self.desk.profiles()
        except ProfileStoreError as exc:
            self._list_error(exc)
            return
        self.panel.refresh(profiles)
        shown = self.editor.profile
        if shown is None or self._saving:
            return  # a new profile being typed is nobody else's
        current = self.desk.profile(shown.id)
        if current == shown:
            return
        if self.editor.is_dirty():
            self._notify(
                f"“{shown.name}” was changed elsewhere. Your edit is kept; saving it asks "
                "which version to keep."
            )
            return
        self.set_profiles(current.id if current is not None else None)
        if not profiles:
            self.became_empty.emit()

    def test_connection(self) -> None:
        problems = [p for p in self.editor.problems() if p.blocking]
        self.editor.show_problems(problems)
        if problems:
            return
        profile = self.editor.to_model()
        self.editor.test_result.setText("Asking the identity server…")
        self.editor.test_result.setVisible(True)
        self.editor.test_error.clear()
        self.tasks.run(
            "test",
            self._test(profile, self.editor.secret_value(), self.editor.key_value()),
            busy=[self.editor.test_button],
        )

    async def _test(self, profile: Profile, secret: str, key: str) -> None:
        token = await self.desk.test_connection(profile, secret=secret, private_key=key)
        now = self.workbench.desk.now()
        lifetime = token.remaining(now)
        expiry = f"valid for {span(lifetime)}" if lifetime else "expiry not stated"
        scopes = ", ".join(token.scopes) or "none stated"
        self.editor.show_test_result(
            f"✔ It works: the identity server issued a token ({expiry}; scopes: {scopes}).",
            token.warnings,
        )

    # List actions --------------------------------------------------------------------------

    def duplicate(self) -> None:
        profile = self.current()
        if profile is not None:
            self.leave(lambda: self.tasks.run("duplicate", self._duplicate(profile)))

    async def _duplicate(self, profile: Profile) -> None:
        copy = await self.desk.duplicate_profile(profile)
        self.set_profiles(copy.id)
        self._notify(f"Made “{copy.name}”, with the same secrets.")

    def rename(self) -> None:
        self.leave(self._rename)

    def _rename(self) -> None:
        profile = self.current()
        if profile is None:
            return
        name = self._prompter.ask_text("Rename profile", "New name:", profile.name)
        if name is None or not name.strip() or name.strip() == profile.name:
            return
        try:
            renamed = self.desk.rename_profile(profile, name)
        except TokendeskError as exc:
            self._notify(f"Not renamed: {exc.message} {exc.hint}")
            return
        self.set_profiles(renamed.id)

    def delete(self) -> None:
        profile = self.current()
        if profile is None:
            return
        what = "private key" if profile.auth_method.needs_private_key else "client secret"
        if not self._prompter.confirm(
            "Delete profile?",
            f"Delete “{profile.name}”?\n\nIts {what} and its cached token will be removed from "
            "the OS keychain. This cannot be undone.",
            action="Delete",
            danger=True,
        ):
            return
        self.tasks.run("delete", self._delete(profile), on_error=self._list_error)

    async def _delete(self, profile: Profile) -> None:
        await self.desk.delete_profile(profile)
        self._quiet = True
        try:
            self.reload()
        finally:
            self._quiet = False
        self._notify(f"Deleted “{profile.name}” and its keychain entries.")

    def _list_error(self, error: TokendeskError) -> None:
        self._notify(f"{error.message} {error.hint}")

    def import_profiles(self) -> None:
        self.leave(self._import_profiles)

    def _import_profiles(self) -> None:
        path = self._prompter.open_file("Import profiles", "Tokendesk profiles (*.json)")
        if not path:
            return
        try:
            imported = self.desk.import_profiles(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self._notify(f"That file could not be read: {exc}")
            return
        except ProfileError as exc:
            self._list_error(exc)
            return
        self.set_profiles(imported[0].id if imported else None)
        self._notify(
            f"Imported {len(imported)} profile(s). Each needs its secret: open it and enter it."
        )

    def export_profiles(self) -> None:
        path = self._prompter.save_file(
            "Export profiles (no secrets)", "tokendesk-profiles.json", "JSON (*.json)"
        )
        if not path:
            return
        try:
            Path(path).write_text(self.desk.export_profiles(), encoding="utf-8")
        except OSError as exc:
            self._notify(f"The export could not be written: {exc}")
            return
        self._notify(f"Exported the profiles to {path}. Secrets were left out.")
