"""The web app and JSON API: a thin layer over the library (``dirtrack serve``)."""
