"""OpenID for Verifiable Credential Issuance: the pre-authorized code flow, 1.0 and draft 13."""
