"""The audit log: who (which API key) changed what, and when.

Every state change records one entry in the same transaction as the change, so the log holds
exactly what happened. Entries name ids, never a recipient's address or a secret.
"""
