"""The review's renderers, where the web app and the flows have imported them from; they
live in ``dirtrack.documents`` (Markdown, HTML, JSON, Word)."""

from dirtrack.documents.render import FORMATS, render, render_docx, write_review
from dirtrack.documents.words import LABELS, percent, quarter_name

__all__ = ["FORMATS", "LABELS", "percent", "quarter_name", "render", "render_docx",
           "write_review"]
