"""Alembic's revisions of dirtrack's schema (run by ``dirtrack.store.migrate``)."""
