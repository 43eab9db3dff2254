"""Passer accounts: sign in by a one-time link mailed to an address, the account page."""
