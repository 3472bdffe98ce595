"""Documents dirtrack writes: the quarterly review as Markdown, HTML, JSON and Word."""
