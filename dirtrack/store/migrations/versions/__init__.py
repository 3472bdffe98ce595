"""One file per revision of the schema, ``NNNN_what_changes.py``; 0001 is the first release."""
