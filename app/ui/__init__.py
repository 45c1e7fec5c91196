"""PySide6 widgets, item models, dialogs: thin, over the services."""
