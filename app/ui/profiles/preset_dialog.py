"""“Add my client” for the big providers: pick the provider, answer only the questions its own
docs answer (in its own words, with the link to where its console shows them), and get a profile
built by `build_from_preset`, ready in the editor to save."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TokendeskError
from app.core.providers import PRESETS, Preset, PresetField, build_from_preset
from app.ui.qt import named
from app.ui.widgets.form_section import OpenFile

PICK, ANSWER = 0, 1


class PresetDialog(QDialog):
    """A picker of PRESETS, then the chosen preset's form.

    Signals:
        built(object): the PresetResult the answers describe (emitted just before it closes).
    """

    built = Signal(object)

    def __init__(self, open_file: OpenFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presetDialog")
        self.setWindowTitle("Add my client")
        self.setMinimumWidth(560)
        self._open_file = open_file
        self.preset: Preset | None = None
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}

        self.picker = named(QListWidget(), "presetList")
        self.picker.setAccessibleName("Identity providers")
        for preset in PRESETS.values():
            item = QListWidgetItem(f"{preset.title}\n{preset.summary}")
            item.setData(Qt.ItemDataRole.UserRole, preset.key)
            self.picker.addItem(item)
        self.picker.setSpacing(4)
        self.picker.setCurrentRow(0)
        self.picker.itemActivated.connect(lambda _item: self.next())
        pick_page = QWidget()
        pick_layout = QVBoxLayout(pick_page)
        pick_layout.setContentsMargins(0, 0, 0, 0)
        pick_layout.addWidget(QLabel("Where does your client come from?"))
        pick_layout.addWidget(self.picker, 1)

        self.title = named(QLabel(wordWrap=True), "presetTitle")
        self.docs = named(QLabel(wordWrap=True), "presetDocsLink")
        self.docs.setTextFormat(Qt.TextFormat.RichText)
        self.docs.setOpenExternalLinks(True)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = named(QLabel(wordWrap=True), "presetError")
        self.error.setProperty("role", "error")
        self.error.setVisible(False)
        answer_page = QWidget()
        answer_layout = QVBoxLayout(answer_page)
        answer_layout.setContentsMargins(0, 0, 0, 0)
        answer_layout.addWidget(self.title)
        answer_layout.addWidget(self.docs)
        answer_layout.addWidget(self.form_host)
        answer_layout.addWidget(self.error)
        answer_layout.addStretch(1)

        self.pages = QStackedWidget()
        self.pages.addWidget(pick_page)
        self.pages.addWidget(answer_page)
        self.back_button = named(QPushButton("Back"), "presetBackButton")
        self.next_button = named(QPushButton("Next"), "presetNextButton")
        self.ok_button = named(QPushButton("Fill the profile"), "presetOkButton")
        cancel = named(QPushButton("Cancel"), "presetCancelButton")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.ok_button.clicked.connect(self.finish)
        cancel.clicked.connect(self.reject)
        # Back on the left, forward on the right, as wizards have it on every platform.
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        for button in (self.next_button, self.ok_button, cancel):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        self._show_page(PICK)

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.back_button.setVisible(page == ANSWER)
        self.ok_button.setVisible(page == ANSWER)
        self.next_button.setVisible(page == PICK)
        self.next_button.setDefault(page == PICK)
        self.ok_button.setDefault(page == ANSWER)

    def choose(self, key: str) -> None:
        """Show `key`'s questions (what Next does for the selected provider)."""
        preset = PRESETS[key]
        self.preset = preset
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        self.title.setText(f"<b>{preset.title}</b> — {preset.summary}")
        self.docs.setText(
            f'Where to find these values: <a href="{preset.docs_url}">{preset.title} docs</a>'
        )
        name = named(QLineEdit(), "presetField_name")
        name.setPlaceholderText("Optional: how the profile is listed")
        self.fields["name"] = name
        self.form.addRow("Profile name", name)
        for item in preset.fields:
            self.form.addRow(self._label(item), self._field(item))
        self.error.setVisible(False)
        self._show_page(ANSWER)
        first = next(iter(w for k, w in self.fields.items() if k != "name"), None)
        if first is not None:
            first.setFocus()

    def _label(self, item: PresetField) -> str:
        return item.label if item.required else f"{item.label} (optional)"

    def _field(self, item: PresetField) -> QWidget:
        edit: QLineEdit | QPlainTextEdit
        if item.kind == "multiline":
            edit = QPlainTextEdit()
            edit.setFixedHeight(72)
            edit.setPlaceholderText(item.placeholder or "Paste it here")
        else:
            edit = QLineEdit(item.default)
            edit.setPlaceholderText(item.placeholder)
            if item.kind == "secret":
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            if item.kind == "file":
                edit.setPlaceholderText("The file's path; its contents are read, it is not kept")
        named(edit, f"presetField_{item.key}")
        edit.setAccessibleName(item.label)
        edit.setToolTip(item.help)
        self.fields[item.key] = edit
        help_label = QLabel(item.help, wordWrap=True)
        help_label.setProperty("role", "hint")
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if item.kind == "file":
            choose = named(QPushButton("Choose file…"), f"presetChoose_{item.key}")
            choose.clicked.connect(lambda: self._choose_file(edit, item))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(choose)
            column.addLayout(row)
        else:
            column.addWidget(edit)
        column.addWidget(help_label)
        host = QWidget()
        host.setLayout(column)
        return host

    def _choose_file(self, edit: QLineEdit | QPlainTextEdit, item: PresetField) -> None:
        path = self._open_file(item.label, "JSON key files (*.json);;All files (*)")
        if path and isinstance(edit, QLineEdit):
            edit.setText(path)

    def next(self) -> None:
        current = self.picker.currentItem()
        if current is not None:
            self.choose(str(current.data(Qt.ItemDataRole.UserRole)))

    def back(self) -> None:
        self._show_page(PICK)

    def answers(self) -> dict[str, str]:
        """The answers as typed; a file field's answer is the file's text."""
        assert self.preset is not None
        kinds = {f.key: f.kind for f in self.preset.fields}
        found: dict[str, str] = {}
        for key, edit in self.fields.items():
            text = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
            if kinds.get(key) == "file" and text.strip():
                text = Path(text.strip()).expanduser().read_text(encoding="utf-8")
            found[key] = text
        return found

    def finish(self) -> None:
        if self.preset is None:
            return
        try:
            result = build_from_preset(self.preset.key, self.answers())
        except (OSError, UnicodeDecodeError) as exc:
            self._show_error(f"That file could not be read: {exc}")
            return
        except TokendeskError as exc:
            self._show_error(f"{exc.message} {exc.hint}")
            return
        self.built.emit(result)
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
