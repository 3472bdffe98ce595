"""Documents dirtrack writes: the quarterly review (Markdown, HTML, JSON, Word), the task
list (Excel), a plan's appendix (Word) and units' deadlines (calendar)."""
