"""Server-rendered HTML pages (no JavaScript needed): the home page and issuers' pages.

The markup is in ``app/templates``; see :mod:`app.templating`.
"""

from __future__ import annotations

from app.templating import render


def home(base_url: str) -> str:
    """The home page: what Shomei serves, and the way to the verifier and the API docs."""
    return render("home.html", lang="ja", base=base_url)


def issuer(profile: dict[str, object], translations: dict[str, str]) -> str:
    """The public page of an issuer."""
    name = str(profile.get("name", ""))
    rows = [
        ("ID", str(profile.get("id", ""))),
        ("URL", str(profile.get("url", ""))),
        ("E-mail", str(profile.get("email", ""))),
    ]
    description = profile.get("description")
    return render(
        "issuer.html",
        lang="ja",
        title=name,
        english=translations.get("en"),
        description=str(description) if description else None,
        rows=rows,
    )
