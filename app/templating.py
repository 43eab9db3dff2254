"""HTML pages from Jinja2 templates (``app/templates``), every value escaped by default.

Autoescape is on for every template but the plain-text parts of mails (``*.txt``), so a
value from a badge, an issuer or a request is escaped unless a template marks it safe; none
does. The words of every page and mail come from one table (:mod:`app.texts`), reached in
templates as ``ui(key, lang)``, ``mail_text(key, lang)`` and, on the bilingual public pages,
``both(key)`` ("日本語 / English").
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.texts import both, check_label, check_sentence, mail_text, status_word, ui

__all__ = ["render"]


_ENVIRONMENT = Environment(
    loader=PackageLoader("app", "templates"),
    # Every template is HTML, escaped, except the plain-text parts of mails (``*.txt``).
    autoescape=select_autoescape(
        disabled_extensions=("txt",), default=True, default_for_string=True
    ),
    undefined=StrictUndefined,  # a misspelt variable is an error, not an empty string
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
# ``tojson`` escapes <, >, & and ' as \u escapes; the page's texts stay readable UTF-8.
_ENVIRONMENT.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
_ENVIRONMENT.globals.update(
    ui=ui,
    both=both,
    status_word=status_word,
    check_label=check_label,
    check_sentence=check_sentence,
    mail_text=mail_text,
)


def render(template: str, **context: Any) -> str:
    """The page ``template`` (a path under ``app/templates``) filled with ``context``."""
    return _ENVIRONMENT.get_template(template).render(**context)
