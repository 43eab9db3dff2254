"""Issuers: the organisations that award badges, their keys and their public documents."""
