"""Open Badges 2.0 wire models: the JSON-LD documents an issuer publishes.

The models read what the OB 2.0 specification allows on input (OB 2.0 "Open Badges
Vocabulary", https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html):
``type`` as a string or an array, ``badge``/``issuer`` as an IRI or an embedded object,
``image`` and ``criteria`` as an IRI or an object, ``evidence`` as one value or an array,
``verify`` as the older name of ``verification``, and revocation list entries as a bare id
or an object. They are frozen and keep unknown properties (``extra="allow"``), so extension
data survives a read and a write.

Dump with :meth:`OB2Node.to_document` to get the camelCase JSON form back; it leaves out
defaults the input did not set, so a parse-dump-parse round trip is stable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "HOSTED_TYPES",
    "OB2_CONTEXT",
    "SIGNED_TYPES",
    "AlignmentObject",
    "Assertion",
    "BadgeClass",
    "Criteria",
    "CryptographicKey",
    "Endorsement",
    "Evidence",
    "IdentityObject",
    "Image",
    "OB2Node",
    "Profile",
    "RevocationList",
    "RevokedAssertion",
    "VerificationObject",
    "type_names",
]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"

# OB 2.0 "VerificationObject": the short names are the 1.x spellings the spec still accepts.
HOSTED_TYPES = frozenset({"HostedBadge", "hosted"})
SIGNED_TYPES = frozenset({"SignedBadge", "signed"})


def _iso_8601(value: Any) -> Any:
    # OB 2.0 "DateTime" is an ISO 8601 string with a zone; pydantic would also read a bare
    # number as a Unix timestamp, which OB 2.0 no longer allows.
    if isinstance(value, str | datetime):
        return value
    raise ValueError("must be an ISO 8601 date-time string with a time zone")


DateTime = Annotated[AwareDatetime, BeforeValidator(_iso_8601)]
TypeValue = str | list[str]


def type_names(value: TypeValue | None) -> tuple[str, ...]:
    """Return ``type`` as a tuple, whether the document gave a string or an array."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class OB2Node(BaseModel):
    """Common configuration: frozen, camelCase aliases only, unknown properties kept."""

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        alias_generator=to_camel,
    )

    context: str | list[Any] | dict[str, Any] | None = Field(default=None, alias="@context")

    def to_document(self) -> dict[str, Any]:
        """Return the JSON form (camelCase keys, ``@context``), without unset defaults."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    @property
    def types(self) -> tuple[str, ...]:
        """The ``type`` values as a tuple (empty when the node has no ``type``)."""
        return type_names(getattr(self, "type", None))


def _require_type(node: OB2Node, *accepted: str) -> None:
    if not set(node.types) & set(accepted):
        raise ValueError(f"type must include {' or '.join(accepted)}")


class IdentityObject(OB2Node):
    """``recipient``: who the badge was awarded to, plain or as an IdentityHash."""

    type: str
    identity: str
    hashed: StrictBool
    salt: str | None = None


class VerificationObject(OB2Node):
    """How to verify an Assertion (in an Assertion) or an issuer's hosting policy (in a Profile)."""

    type: TypeValue | None = None
    creator: str | None = None
    verification_property: str | None = None
    starts_with: str | list[str] | None = None
    allowed_origins: str | list[str] | None = None


class Image(OB2Node):
    """An image by URL or data URI, with optional caption and author."""

    id: str
    type: TypeValue | None = None
    caption: str | None = None
    author: str | None = None


class Criteria(OB2Node):
    """What a recipient did to earn a badge: a page (``id``) and/or Markdown ``narrative``."""

    id: str | None = None
    type: TypeValue | None = None
    narrative: str | None = None


class Evidence(OB2Node):
    """Evidence of the work behind an award."""

    id: str | None = None
    type: TypeValue | None = None
    narrative: str | None = None
    name: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None


class AlignmentObject(OB2Node):
    """A link from a BadgeClass to an educational standard or framework."""

    target_name: str
    target_url: str
    target_description: str | None = None
    target_framework: str | None = None
    target_code: str | None = None


class CryptographicKey(OB2Node):
    """A public key (SPKI PEM) an issuer signs assertions with."""

    id: str
    type: TypeValue | None = None
    owner: str | None = None
    public_key_pem: str

    @model_validator(mode="after")
    def _is_key(self) -> CryptographicKey:
        if self.type is not None:
            _require_type(self, "CryptographicKey")
        return self


class Profile(OB2Node):
    """An issuer (or other entity) Profile. Issuers must also give name, url and email."""

    id: str
    type: TypeValue
    name: str | None = None
    url: str | None = None
    email: str | None = None
    telephone: str | None = None
    description: str | None = None
    image: str | Image | None = None
    public_key: str | CryptographicKey | list[str | CryptographicKey] | None = None
    verification: VerificationObject | None = None
    revocation_list: str | None = None

    @model_validator(mode="after")
    def _is_profile(self) -> Profile:
        _require_type(self, "Issuer", "Profile")
        return self

    @property
    def public_keys(self) -> tuple[str, ...]:
        """The ids of the ``publicKey`` entries, referenced or embedded, as a tuple."""
        return tuple(k if isinstance(k, str) else k.id for k in self._key_entries())

    def embedded_key(self, key_id: str) -> CryptographicKey | None:
        """Return the CryptographicKey embedded in ``publicKey`` under ``key_id``, if any."""
        for entry in self._key_entries():
            if isinstance(entry, CryptographicKey) and entry.id == key_id:
                return entry
        return None

    def _key_entries(self) -> list[str | CryptographicKey]:
        if self.public_key is None:
            return []
        return list(self.public_key) if isinstance(self.public_key, list) else [self.public_key]


class Endorsement(OB2Node):
    """A third party's claim about a Profile, BadgeClass or Assertion."""

    id: str
    type: TypeValue
    claim: dict[str, Any]
    issuer: str | Profile
    issued_on: DateTime
    verification: VerificationObject
    revoked: StrictBool | None = None
    revocation_reason: str | None = None

    @model_validator(mode="after")
    def _is_endorsement(self) -> Endorsement:
        _require_type(self, "Endorsement")
        return self


class BadgeClass(OB2Node):
    """The achievement a badge stands for."""

    id: str
    type: TypeValue
    name: str
    description: str
    image: str | Image
    criteria: str | Criteria
    issuer: str | Profile
    alignment: AlignmentObject | list[AlignmentObject] | None = None
    tags: list[str] | None = None
    endorsement: str | Endorsement | list[str | Endorsement] | None = None

    @model_validator(mode="after")
    def _is_badge_class(self) -> BadgeClass:
        _require_type(self, "BadgeClass")
        return self

    @property
    def issuer_id(self) -> str:
        """The issuer's IRI, whether the issuer is referenced or embedded."""
        return self.issuer if isinstance(self.issuer, str) else self.issuer.id


class Assertion(OB2Node):
    """One award of a BadgeClass to one recipient."""

    id: str
    type: TypeValue
    recipient: IdentityObject
    badge: str | BadgeClass
    # OB 1.x named it ``verify``; OB 2.0 still reads that name
    # (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Assertion).
    verification: VerificationObject = Field(
        validation_alias=AliasChoices("verification", "verify"),
        serialization_alias="verification",
    )
    issued_on: DateTime
    image: str | Image | None = None
    evidence: str | Evidence | list[str | Evidence] | None = None
    narrative: str | None = None
    expires: DateTime | None = None
    revoked: StrictBool | None = None
    revocation_reason: str | None = None
    uid: str | None = None  # deprecated 1.x identifier, still matched by revocation lists
    endorsement: str | Endorsement | list[str | Endorsement] | None = None

    @model_validator(mode="after")
    def _is_assertion(self) -> Assertion:
        _require_type(self, "Assertion")
        kinds = set(type_names(self.verification.type))
        if not kinds & (HOSTED_TYPES | SIGNED_TYPES):
            raise ValueError("verification.type must be HostedBadge or SignedBadge")
        return self

    @property
    def is_signed(self) -> bool:
        """Whether ``verification.type`` names signed verification."""
        return bool(set(type_names(self.verification.type)) & SIGNED_TYPES)

    @property
    def badge_id(self) -> str:
        """The BadgeClass IRI, whether the badge is referenced or embedded."""
        return self.badge if isinstance(self.badge, str) else self.badge.id


class RevokedAssertion(OB2Node):
    """A revocation list entry, also the shape of a hosted revocation notice.

    ``revoked`` defaults to true when absent (OB 2.0 "RevocationList").
    """

    id: str | None = None
    uid: str | None = None
    revoked: StrictBool | None = None
    revocation_reason: str | None = None

    @model_validator(mode="after")
    def _names_an_assertion(self) -> RevokedAssertion:
        if self.id is None and self.uid is None:
            raise ValueError("a revoked assertion entry needs an id or a uid")
        return self

    @property
    def is_revoked(self) -> bool:
        """Whether the entry revokes its assertion (absent ``revoked`` means true)."""
        return self.revoked is not False


class RevocationList(OB2Node):
    """The list of an issuer's revoked signed assertions."""

    id: str | None = None
    type: TypeValue
    issuer: str | None = None
    revoked_assertions: list[str | RevokedAssertion]

    @model_validator(mode="after")
    def _is_revocation_list(self) -> RevocationList:
        _require_type(self, "RevocationList")
        return self

    def entry_for(self, assertion_id: str, uid: str | None = None) -> RevokedAssertion | None:
        """Return the entry naming ``assertion_id`` (or the legacy ``uid``), if any."""
        for entry in self.revoked_assertions:
            if isinstance(entry, str):
                if entry == assertion_id:
                    return RevokedAssertion(id=entry)
                continue
            if entry.id is not None and entry.id == assertion_id:
                return entry
            if uid is not None and entry.uid == uid:
                return entry
        return None
