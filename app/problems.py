"""The pages behind problem ``type`` URIs: ``/problems`` and ``/problems/{code}``.

RFC 9457 §3.1.1 (https://www.rfc-editor.org/rfc/rfc9457#section-3.1.1): a type URI, when
dereferenced, should give human-readable documentation of the problem type.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.errors import PROBLEMS, NotFoundError
from app.responses import problems

# Documentation pages, like /docs: not part of the API contract.
router = APIRouter(tags=["service"], include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Shomei problem types</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto;
padding: 0 1.25rem; line-height: 1.6; color: #1d2433; }}
code {{ background: #eef1f5; padding: .1rem .3rem; border-radius: .25rem; }}</style>
</head>
<body><main>{body}</main></body>
</html>
"""


def _describe(text: str) -> str:
    # Descriptions mark names with backticks, as the README does.
    parts = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


@router.get("/problems", summary="Problem types", response_class=HTMLResponse)
def problem_index() -> HTMLResponse:
    """List every problem type the API answers with."""
    items = "".join(
        f'<li><a href="problems/{escape(code)}"><code>{escape(code)}</code></a>: '
        f"{escape(title)}</li>"
        for code, (title, _) in PROBLEMS.items()
    )
    body = f"<h1>Problem types</h1><ul>{items}</ul>"
    return HTMLResponse(_PAGE.format(title="Problem types", body=body))


@router.get(
    "/problems/{code}",
    summary="A problem type",
    response_class=HTMLResponse,
    responses=problems(404),
)
def problem_page(code: str) -> HTMLResponse:
    """Say what one problem type means and what to do about it."""
    if code not in PROBLEMS:
        raise NotFoundError(f"no problem type {code!r}")
    title, description = PROBLEMS[code]
    body = (
        f"<h1>{escape(title)}</h1><p>Code <code>{escape(code)}</code></p>"
        f'<p>{_describe(description)}</p><p><a href="../problems">All problem types</a></p>'
    )
    return HTMLResponse(_PAGE.format(title=escape(title), body=body))
