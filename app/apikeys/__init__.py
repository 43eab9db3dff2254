"""API keys: bearer tokens for issuing staff (one issuer) and administrators (all)."""
