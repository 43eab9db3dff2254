"""Credential status: per-issuer Bitstring Status Lists for revocation and suspension."""
