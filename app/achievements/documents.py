"""The documents an achievement appears as: an OB 3.0 Achievement, an OB 2.0 BadgeClass, and
the public page people see when they follow a badge's link.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from app.achievements.models import Achievement
from app.templating import render
from app.urls import Urls
from badges.schema import VCDM2_CONTEXT, validate_credential

IMAGE_EXTENSIONS = {"image/png": "png", "image/svg+xml": "svg"}
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The published Achievement stands alone, so it carries the contexts its terms come from.
ACHIEVEMENT_CONTEXT = (VCDM2_CONTEXT, OB3_CONTEXT)
_EMBEDDED_AT = "credentialSubject.achievement"
# The OB 3.0 JSON Schema's LanguageCode pattern (Related.inLanguage); other tags stay out.
_LANGUAGE_CODE = re.compile(r"[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")


def image_url(urls: Urls, achievement: Achievement) -> str | None:
    if achievement.image_media_type is None:  # (the image bytes themselves are not loaded)
        return None
    return urls.achievement_image(achievement.id, IMAGE_EXTENSIONS[achievement.image_media_type])


def edition_url(urls: Urls, achievement: Achievement, language: str) -> str:
    """The id of the achievement's edition in ``language``: the primary one is the bare URL."""
    base = urls.achievement(achievement.id)
    return base if language == achievement.language else f"{base}?lang={quote(language)}"


def achievement_document(
    urls: Urls, achievement: Achievement, language: str | None = None
) -> dict[str, Any]:
    """The OB 3.0 Achievement as credentials embed it, in one language.

    ``language`` picks the edition (the primary language when ``None`` or not translated).
    The other languages travel with it as ``related`` achievements, each with its own id,
    ``inLanguage``, name and description (OB 3.0 Achievement ``related`` and the Related
    class, https://www.imsglobal.org/spec/ob/v3p0/#related), so a reader of another
    language sees the badge in theirs.
    """
    if language is None or language not in achievement.name:
        language = achievement.language
    name = achievement.name.get(language) or achievement.text(achievement.name)
    description = achievement.description.get(language) or achievement.text(achievement.description)
    criteria: dict[str, Any] = {}
    if achievement.criteria_url:
        criteria["id"] = achievement.criteria_url
    if achievement.criteria_narrative:
        criteria["narrative"] = achievement.criteria_narrative
    document: dict[str, Any] = {
        "id": edition_url(urls, achievement, language),
        "type": ["Achievement"],
        "name": name,
        "description": description,
        "criteria": criteria,
        "inLanguage": language,
    }
    if achievement.achievement_type:
        document["achievementType"] = achievement.achievement_type
    url = image_url(urls, achievement)
    if url:
        document["image"] = {"id": url, "type": "Image", "caption": document["name"]}
    if achievement.alignments:
        document["alignment"] = [{"type": ["Alignment"], **a} for a in achievement.alignments]
    related = [
        _related(urls, achievement, tag)
        for tag in sorted(achievement.name)
        if tag != language and _LANGUAGE_CODE.fullmatch(tag)
    ]
    if related:
        document["related"] = related
    if achievement.tags:
        document["tag"] = list(achievement.tags)
    return document


def _related(urls: Urls, achievement: Achievement, language: str) -> dict[str, Any]:
    related: dict[str, Any] = {
        "id": edition_url(urls, achievement, language),
        "type": ["Related"],
        "inLanguage": language,
        "name": achievement.name[language],
    }
    if achievement.description.get(language):
        related["description"] = achievement.description[language]
    return related


def public_document(
    urls: Urls, achievement: Achievement, language: str | None = None
) -> dict[str, Any]:
    """The OB 3.0 Achievement published at its id: with ``@context`` and its ``creator``."""
    issuer = achievement.issuer
    document: dict[str, Any] = {"@context": list(ACHIEVEMENT_CONTEXT)}
    document |= achievement_document(urls, achievement, language)
    document["creator"] = {
        "id": urls.issuer_did(issuer.slug),
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
    }
    return document


def schema_problems(urls: Urls, achievement: Achievement) -> list[str]:
    """What keeps the published Achievement from passing the official OB 3.0 JSON Schema.

    The schema describes credentials, so the Achievement is checked where credentials carry
    it: inside a minimal credential built around it, which is not kept.
    """
    embedded = public_document(urls, achievement)
    del embedded["@context"]
    credential = {
        "@context": list(ACHIEVEMENT_CONTEXT),
        "id": f"urn:uuid:{achievement.id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": embedded["creator"],
        "validFrom": "2000-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
            "type": ["AchievementSubject"],
            "achievement": embedded,
        },
    }
    problems = []
    for issue in validate_credential(credential):
        path = issue.path.removeprefix(_EMBEDDED_AT).lstrip(".") or "the achievement"
        message = issue.message.replace(_EMBEDDED_AT + ".", "")
        problems.append(f"{path}: {message}" if path not in message else message)
    return problems


def badge_class_document(urls: Urls, achievement: Achievement) -> dict[str, Any]:
    """The OB 2.0 BadgeClass hosted for this achievement."""
    criteria: dict[str, Any] = {}
    if achievement.criteria_url:
        criteria["id"] = achievement.criteria_url
    if achievement.criteria_narrative:
        criteria["narrative"] = achievement.criteria_narrative
    document: dict[str, Any] = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": urls.ob2_badge(achievement.id),
        "name": achievement.text(achievement.name),
        "description": achievement.text(achievement.description),
        "image": image_url(urls, achievement) or urls.achievement(achievement.id),
        "criteria": criteria,
        "issuer": urls.ob2_issuer(achievement.issuer.slug),
    }
    if achievement.alignments:
        document["alignment"] = [
            {
                k: v
                for k, v in a.items()
                if k
                in ("targetName", "targetUrl", "targetDescription", "targetFramework", "targetCode")
            }
            for a in achievement.alignments
        ]
    if achievement.tags:
        document["tags"] = list(achievement.tags)
    return document


# -- the public page ------------------------------------------------------------------------


def _by_language(texts: dict[str, str], primary: str) -> list[tuple[str, str]]:
    """Texts with the primary language first, then the others in tag order."""
    return sorted(texts.items(), key=lambda item: (item[0] != primary, item[0]))


def achievement_page(urls: Urls, achievement: Achievement) -> str:
    """The public HTML page of an achievement: every language, criteria, image and issuer."""
    lang = achievement.language
    issuer = achievement.issuer
    alignments = [
        {
            "name": str(alignment.get("targetName", "")),
            "url": str(alignment.get("targetUrl", "")),
            "framework": str(alignment["targetFramework"])
            if alignment.get("targetFramework")
            else None,
        }
        for alignment in achievement.alignments
    ]
    return render(
        "achievement.html",
        lang=lang,
        title=achievement.text(achievement.name),
        image=image_url(urls, achievement),
        issuer_url=urls.issuer_profile(issuer.slug),
        issuer_name=issuer.name,
        names=_by_language(achievement.name, lang),
        descriptions=_by_language(achievement.description, lang),
        criteria_narrative=achievement.criteria_narrative,
        criteria_url=achievement.criteria_url,
        achievement_type=achievement.achievement_type,
        alignments=alignments,
        tags=achievement.tags,
    )
