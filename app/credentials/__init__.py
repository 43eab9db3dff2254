"""Credentials: issuing OB 3.0 and OB 2.0 badges, their status, and their public documents."""
