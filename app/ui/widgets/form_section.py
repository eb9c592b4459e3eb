"""One titled part of a form: its rows, the inline problem under each field, and the highlight on
the field a problem names. Sections of the profile editor build on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.profiles import Problem, Profile
from app.ui.qt import named

# Asks the person for a file: (title, filters) -> path or None. The window passes its Prompter's.
OpenFile = Callable[[str, str], str | None]


def line(name: str, accessible: str, placeholder: str) -> QLineEdit:
    edit = named(QLineEdit(placeholderText=placeholder), name)
    edit.setAccessibleName(accessible)
    edit.setClearButtonEnabled(True)
    return edit


def restyle(widget: QWidget) -> None:
    """Dynamic properties only take effect in a stylesheet after a re-polish."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FormSection(QWidget):
    """A section with `load(profile)`, `values()` (its Profile fields) and `problems()` (what
    only the form knows, e.g. a secret not typed yet); the editor composes several.

    Signals:
        changed(): the person edited a field of this section.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.problem_labels: dict[str, QLabel] = {}
        self._highlighted: dict[str, QWidget] = {}
        self.loading = False

    # The contract the editor relies on ----------------------------------------------------

    def load(self, profile: Profile) -> None:
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def problems(self) -> list[Problem]:
        return []

    # Building helpers ---------------------------------------------------------------------

    def add_row(self, label: str, field: str | None, widget: QWidget | QLayout) -> QWidget:
        """A row whose field shows `field`'s problems underneath (None: no problems here)."""
        if isinstance(widget, QLayout):
            inner = QWidget()
            widget.setContentsMargins(0, 0, 0, 0)
            inner.setLayout(widget)
            widget = inner
        row = self.with_problem(field, widget) if field else widget
        self.form.addRow(label, row)
        return row

    def with_problem(self, field: str, widget: QWidget, target: QWidget | None = None) -> QWidget:
        label = named(QLabel(wordWrap=True), f"{field}Problem")
        label.setProperty("role", "problem")
        # The line stays reserved while empty, so the form never jumps under the pointer.
        policy = label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        label.setSizePolicy(policy)
        label.setVisible(False)
        self.problem_labels[field] = label
        self._highlighted[field] = target or widget
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(widget)
        layout.addWidget(label)
        return box

    def set_row_visible(self, row: QWidget, visible: bool) -> None:
        self.form.setRowVisible(row, visible)

    def watch(self, *widgets: Any) -> None:
        """Emit changed() when the person edits any of these."""
        for widget in widgets:
            for signal in ("textEdited", "toggled", "edited", "itemChanged"):
                if hasattr(widget, signal):
                    getattr(widget, signal).connect(self.edited)
                    break
            else:
                widget.textChanged.connect(self.edited)

    def edited(self) -> None:
        if not self.loading:
            self.changed.emit()

    # Problems -----------------------------------------------------------------------------

    def show_problems(self, problems: Iterable[Problem]) -> None:
        by_field: dict[str, list[Problem]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem)
        for field, label in self.problem_labels.items():
            mine = by_field.get(field, [])
            label.setText(" ".join(p.message for p in mine))
            blocking = any(p.blocking for p in mine)
            label.setProperty("blocking", blocking)
            label.setVisible(bool(mine))
            restyle(label)
            target = self._highlighted[field]
            wanted = "blocking" if blocking else ("warning" if mine else "")
            if target.property("problem") != wanted:
                target.setProperty("problem", wanted)
                restyle(target)

    def all_problem_labels(self) -> dict[str, QLabel]:
        return dict(self.problem_labels)

    def flagged(self) -> set[str]:
        return {field for field, label in self.problem_labels.items() if not label.isHidden()}

    def first_flagged(self) -> QWidget | None:
        for field, label in self.problem_labels.items():
            if not label.isHidden():
                return self._highlighted[field]
        return None


def buttons_beside(main: QWidget, *buttons: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(main, 1)
    for button in buttons:
        row.addWidget(button)
    return row
