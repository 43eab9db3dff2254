"""Delivering a passer's badge into their own wallet (VC-API exchanges, OpenID4VCI)."""
