"""Widgets only. MainWindow composes; services decide; core knows nothing of Qt."""
