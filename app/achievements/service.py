"""Achievement use cases: create, change, list, set the image; and loading one for a caller.

Every change is checked the way credentials will use it: the published OB 3.0 Achievement
must pass the official JSON Schema before the change is committed.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.achievements import images
from app.achievements.documents import schema_problems
from app.achievements.models import Achievement
from app.achievements.schemas import AchievementCreate, AchievementUpdate
from app.apikeys.service import Principal
from app.audit import service as audit
from app.errors import NotFoundError, UnprocessableError
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.urls import Urls


def get_achievement(session: Session, achievement_id: uuid.UUID) -> Achievement:
    """The achievement ``achievement_id``, whoever asks (public documents)."""
    achievement = session.get(Achievement, achievement_id)
    if achievement is None:
        raise NotFoundError(f"achievement {achievement_id} does not exist")
    return achievement


def get_published_achievement(session: Session, achievement_id: str) -> Achievement:
    """The achievement at a public URL, where a malformed id is just one that does not exist."""
    try:
        parsed = uuid.UUID(achievement_id)
    except ValueError:
        raise NotFoundError(f"achievement {achievement_id!r} does not exist") from None
    return get_achievement(session, parsed)


def get_achievement_for(
    session: Session, principal: Principal, achievement_id: uuid.UUID
) -> Achievement:
    """The achievement, if ``principal`` may act for its issuer (else 404, revealing nothing)."""
    achievement = get_achievement(session, achievement_id)
    if not principal.may_act_for(achievement.issuer_id):
        raise NotFoundError(f"achievement {achievement_id} does not exist")
    return achievement


def create_achievement(
    session: Session, principal: Principal, request: AchievementCreate, urls: Urls, now: datetime
) -> Achievement:
    """Create an achievement for the issuer named in the request (staff: their own)."""
    issuer = _issuer_for(session, principal, request.issuer)
    achievement = Achievement(
        id=uuid.uuid4(),
        issuer=issuer,
        language=request.language,
        name=dict(request.name),
        description=dict(request.description),
        criteria_narrative=request.criteria.narrative,
        criteria_url=request.criteria.url,
        achievement_type=request.achievement_type,
        alignments=[a.model_dump(exclude_none=True) for a in request.alignments],
        tags=list(request.tags),
        created_at=now,
        updated_at=now,
    )
    _check(urls, achievement)
    session.add(achievement)
    audit.record(
        session,
        "achievement.create",
        actor=principal,
        subject_type="achievement",
        subject_id=achievement.id,
        issuer_id=issuer.id,
        details={"name": achievement.name.get(achievement.language)},
        at=now,
    )
    session.commit()
    return achievement


def update_achievement(
    session: Session,
    achievement: Achievement,
    request: AchievementUpdate,
    urls: Urls,
    now: datetime,
    *,
    actor: Principal | None,
) -> Achievement:
    """Apply the fields given; credentials already issued keep the text they were signed with."""
    changes = request.model_dump(exclude_unset=True)
    if request.language is not None:
        achievement.language = request.language
    if request.name is not None:
        achievement.name = dict(request.name)
    if request.description is not None:
        achievement.description = dict(request.description)
    if request.criteria is not None:
        achievement.criteria_narrative = request.criteria.narrative
        achievement.criteria_url = request.criteria.url
    if "achievement_type" in changes:
        achievement.achievement_type = request.achievement_type
    if request.alignments is not None:
        achievement.alignments = [a.model_dump(exclude_none=True) for a in request.alignments]
    if request.tags is not None:
        achievement.tags = list(request.tags)
    language = achievement.language
    for field in ("name", "description"):
        texts: dict[str, str] = getattr(achievement, field)
        if language not in texts:
            session.rollback()  # forget the changes made to the loaded row above
            raise UnprocessableError(
                f"{field} has no text in the primary language {language!r}; "
                f"give {field} with that language when changing the language"
            )
    try:
        _check(urls, achievement)
    except UnprocessableError:
        session.rollback()
        raise
    achievement.updated_at = now
    audit.record(
        session,
        "achievement.update",
        actor=actor,
        subject_type="achievement",
        subject_id=achievement.id,
        issuer_id=achievement.issuer_id,
        details={"fields": sorted(changes)},  # which fields, not their values
        at=now,
    )
    session.commit()
    return achievement


def set_image(
    session: Session,
    achievement: Achievement,
    *,
    media_type: str | None,
    data: bytes,
    max_bytes: int,
    now: datetime,
    actor: Principal | None,
) -> Achievement:
    """Check an uploaded image and store it, unbaked, as the achievement's badge image.

    ``media_type`` is what the client declared; ``None`` means the bytes decide.
    """
    image = images.check_image(images.media_type_of(media_type, data), data, max_bytes=max_bytes)
    achievement.image = image.data
    achievement.image_media_type = image.media_type
    achievement.updated_at = now
    audit.record(
        session,
        "achievement.image",
        actor=actor,
        subject_type="achievement",
        subject_id=achievement.id,
        issuer_id=achievement.issuer_id,
        details={"media_type": image.media_type, "bytes": len(image.data)},
        at=now,
    )
    session.commit()
    return achievement


def list_achievements(
    session: Session,
    principal: Principal,
    *,
    issuer_slug: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Achievement], int]:
    """The achievements ``principal`` may see, newest first, optionally of one issuer."""
    query = select(Achievement)
    if issuer_slug is not None:
        issuer = issuer_service.get_issuer_for(session, principal, issuer_slug)
        query = query.where(Achievement.issuer_id == issuer.id)
    elif not principal.is_admin:
        query = query.where(Achievement.issuer_id == principal.issuer_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Achievement.created_at.desc(), Achievement.id).limit(limit).offset(offset)
    )
    return list(rows), total


def _issuer_for(session: Session, principal: Principal, slug: str | None) -> Issuer:
    if slug is not None:
        return issuer_service.get_issuer_for(session, principal, slug)
    if principal.issuer_id is None:
        raise UnprocessableError("issuer is required: name the issuer's slug")
    return issuer_service.get_issuer_by_id(session, principal.issuer_id)


def _check(urls: Urls, achievement: Achievement) -> None:
    problems = schema_problems(urls, achievement)
    if problems:
        raise UnprocessableError(
            "the achievement would not pass the OB 3.0 JSON Schema: " + "; ".join(problems)
        )
