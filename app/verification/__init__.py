"""Verification for employers and HR: the verify API, the verify page, and local answers.

``router`` (the API) and ``page`` (the HTML page and its assets) live in
:mod:`app.verification.router`; the use case is :class:`app.verification.service.Verifier`.
"""
