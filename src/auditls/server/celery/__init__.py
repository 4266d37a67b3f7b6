"""Celery in the editor: hover on a task."""
