"""Open Badges 2.0 hosting: assertions, badge classes, issuer profiles, keys, revocations."""
