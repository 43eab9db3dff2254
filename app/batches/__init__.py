"""Batches: a whole exam session's passers, checked as a preview, then issued row by row."""
