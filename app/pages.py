"""Server-rendered HTML pages (no JavaScript needed)."""

from __future__ import annotations

from html import escape

_HOME = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shomei 証明 — Open Badges</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK JP", sans-serif; margin: 0; color: #1d2433;
       background: #f6f7f9; line-height: 1.6; }}
main {{ max-width: 44rem; margin: 0 auto; padding: 2.5rem 1.25rem; }}
h1 {{ font-size: 2rem; margin: 0 0 .25rem; }}
.lead {{ color: #4a5468; margin-top: 0; }}
section {{ background: #fff; border-radius: .75rem; padding: 1rem 1.25rem; margin: 1rem 0;
          box-shadow: 0 1px 2px rgba(0,0,0,.06); }}
code {{ background: #eef1f5; padding: .1rem .3rem; border-radius: .25rem; }}
</style>
</head>
<body>
<main>
<h1>Shomei <span lang="ja">証明</span></h1>
<p class="lead">Open Badges 2.0 / 3.0 の発行と検証 — issuing and verifying Open Badges.</p>
<section lang="ja">
<h2>このサービスについて</h2>
<p>認定機関が合格者に標準準拠のデジタルバッジを発行し、誰でもその真正性を検証できます。</p>
</section>
<section lang="en">
<h2>What Shomei serves</h2>
<ul>
<li>Open Badges 3.0 credentials (W3C Verifiable Credentials) signed with
<code>eddsa-rdfc-2022</code> Data Integrity proofs or as VC-JWT.</li>
<li>Open Badges 2.0 hosted and signed assertions, and badge images with the credential
baked in.</li>
<li>Verification of badges from any issuer, with an itemised report.</li>
</ul>
<p>Service status: <a href="{base}/healthz">{base}/healthz</a></p>
</section>
</main>
</body>
</html>
"""


def home(base_url: str) -> str:
    """The home page."""
    return _HOME.format(base=escape(base_url))


_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK JP", sans-serif; margin: 0; color: #1d2433;
       background: #f6f7f9; line-height: 1.6; }}
main {{ max-width: 44rem; margin: 0 auto; padding: 2rem 1.25rem; }}
section {{ background: #fff; border-radius: .75rem; padding: 1rem 1.25rem; margin: 1rem 0;
          box-shadow: 0 1px 2px rgba(0,0,0,.06); }}
dt {{ font-weight: 600; }} dd {{ margin: 0 0 .5rem; }}
</style>
</head>
<body><main>{body}</main></body>
</html>
"""


def page(title: str, body: str, lang: str = "ja") -> str:
    """A plain, readable page around ``body`` (already escaped HTML)."""
    return _PAGE.format(lang=escape(lang), title=escape(title), body=body)


def issuer(profile: dict[str, object], translations: dict[str, str]) -> str:
    """The public page of an issuer."""
    name = str(profile.get("name", ""))
    english = translations.get("en")
    rows = [
        ("ID", str(profile.get("id", ""))),
        ("URL", str(profile.get("url", ""))),
        ("E-mail", str(profile.get("email", ""))),
    ]
    details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    description = profile.get("description")
    body = (
        f"<h1>{escape(name)}</h1>"
        + (f'<p lang="en">{escape(english)}</p>' if english else "")
        + (f"<section><p>{escape(str(description))}</p></section>" if description else "")
        + f"<section><dl>{details}</dl></section>"
    )
    return page(name, body)
