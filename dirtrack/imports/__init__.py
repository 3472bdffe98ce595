"""Plans read from the office files they arrive in: Word and Excel appendix tables."""
