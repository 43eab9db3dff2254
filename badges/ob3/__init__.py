"""Open Badges 3.0: wire models and the builder of unsigned credentials.

``models`` holds the pydantic wire models (:class:`OpenBadgeCredential` and the classes it
is made of); ``builder`` turns an issuer, an achievement and a recipient into an unsigned
credential that passes the official JSON Schema.
"""

from badges.ob3.builder import (
    CREDENTIAL_CONTEXT,
    CREDENTIAL_TYPE,
    build_credential,
    format_datetime_stamp,
)
from badges.ob3.models import (
    Achievement,
    AchievementCredential,
    AchievementSubject,
    Address,
    Alignment,
    CredentialSchema,
    CredentialStatus,
    Criteria,
    EndorsementCredential,
    EndorsementSubject,
    Evidence,
    GeoCoordinates,
    IdentifierEntry,
    IdentityObject,
    Image,
    OpenBadgeCredential,
    Profile,
    Proof,
    RefreshService,
    Related,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    TermsOfUse,
    as_list,
)

__all__ = [
    "CREDENTIAL_CONTEXT",
    "CREDENTIAL_TYPE",
    "Achievement",
    "AchievementCredential",
    "AchievementSubject",
    "Address",
    "Alignment",
    "CredentialSchema",
    "CredentialStatus",
    "Criteria",
    "EndorsementCredential",
    "EndorsementSubject",
    "Evidence",
    "GeoCoordinates",
    "IdentifierEntry",
    "IdentityObject",
    "Image",
    "OpenBadgeCredential",
    "Profile",
    "Proof",
    "RefreshService",
    "Related",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "TermsOfUse",
    "as_list",
    "build_credential",
    "format_datetime_stamp",
]
