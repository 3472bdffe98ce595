"""Documents dirtrack writes: Word, Excel and calendar files."""
