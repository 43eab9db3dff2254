"""Claims: the unguessable link a passer follows to accept a badge."""
