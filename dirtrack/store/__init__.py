"""The database: SQLModel tables, engine, directive sync, ledger and set-based queries."""
