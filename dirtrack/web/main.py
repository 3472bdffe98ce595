"""The ASGI application for ``uvicorn dirtrack.web.main:app`` (settings from the environment)."""

from dirtrack.web.app import create_app

app = create_app()
