"""API keys: bearer tokens for issuing staff (one issuer), administrators (all) and HR systems
(watches and verification only)."""
