"""Revocation webhooks for HR systems: watches on credentials, and the signed events they get.

An HR system (an API key of role ``hr``) watches credentials of this service; when one is
revoked, suspended, unsuspended or expires, an event is recorded in the same transaction as the
change (:mod:`app.webhooks.events`) and POSTed, signed as Standard Webhooks says
(https://www.standardwebhooks.com/, :mod:`app.webhooks.signing`), by the background workers
(:mod:`app.webhooks.delivery`), retried with exponential backoff for a day. docs/WEBHOOKS.md
tells receivers how to check an event.
"""
