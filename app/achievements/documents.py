"""The documents an achievement appears as: an OB 3.0 Achievement and an OB 2.0 BadgeClass."""

from __future__ import annotations

from typing import Any

from app.achievements.models import Achievement
from app.urls import Urls

IMAGE_EXTENSIONS = {"image/png": "png", "image/svg+xml": "svg"}


def image_url(urls: Urls, achievement: Achievement) -> str | None:
    if achievement.image is None or achievement.image_media_type is None:
        return None
    return urls.achievement_image(achievement.id, IMAGE_EXTENSIONS[achievement.image_media_type])


def achievement_document(urls: Urls, achievement: Achievement) -> dict[str, Any]:
    """The OB 3.0 Achievement as credentials embed it.

    The signed text is in the achievement's primary language (``inLanguage``); translations
    are shown on the public pages.
    """
    criteria: dict[str, Any] = {}
    if achievement.criteria_url:
        criteria["id"] = achievement.criteria_url
    if achievement.criteria_narrative:
        criteria["narrative"] = achievement.criteria_narrative
    document: dict[str, Any] = {
        "id": urls.achievement(achievement.id),
        "type": ["Achievement"],
        "name": achievement.text(achievement.name),
        "description": achievement.text(achievement.description),
        "criteria": criteria,
        "inLanguage": achievement.language,
    }
    if achievement.achievement_type:
        document["achievementType"] = achievement.achievement_type
    url = image_url(urls, achievement)
    if url:
        document["image"] = {"id": url, "type": "Image", "caption": document["name"]}
    if achievement.alignments:
        document["alignment"] = [{"type": ["Alignment"], **a} for a in achievement.alignments]
    if achievement.tags:
        document["tag"] = list(achievement.tags)
    return document


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
