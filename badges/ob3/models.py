"""Pydantic wire models for Open Badges 3.0 documents (OB 3.0 §Data Model).

These classes are a lossless, typed view of OB 3.0 JSON: read a document with
``from_wire``/``from_json`` and write it back with ``to_wire``/``to_json``. Three properties
matter because the documents are signed over their RDF form (eddsa-rdfc-2022):

* Unknown properties survive a read and write (``extra="allow"``; TUF ADR 0008): an
  extension term we do not model is still part of what the issuer signed.
* Nothing is coerced. Validation is strict (``"3"`` is not a number, ``3`` stays an int and
  ``3.0`` a float, because JSON-LD turns them into ``xsd:integer`` and ``xsd:double``);
  dates are kept as the exact strings given; arrays keep their order.
* Forms the spec tolerates on input are kept as given rather than "fixed": a bare string
  for ``Image``, a single value where the canonical form is an array (JSON-LD compaction
  may legally produce either, OB 3.0 §Serialization). ``canonical()`` returns the
  canonical form, which is what the builder emits.

What the models require: the credential classes and their subjects require only what
identifies a document (``@context``, ``type``, ``issuer``, ``credentialSubject``,
subject ``type``), so that a credential missing, say, its ``achievement`` can still be read
and then reported by :mod:`badges.schema`. The nested classes require what the official
JSON Schema requires of them. Cardinality, enumerations and patterns are checked by
:mod:`badges.schema`, not here.

Read wire input with ``from_wire``/``from_json``: they match keys by their JSON names
only, so a stray snake_case key such as ``valid_until`` stays an unknown extension and is
never mistaken for ``validUntil``. Keyword construction in Python uses field names.
"""

from __future__ import annotations

import json
from functools import cache
from types import NoneType, UnionType
from typing import (
    Any,
    ClassVar,
    Self,
    TypeAlias,
    TypeVar,
    Union,
    get_args,
    get_origin,
    overload,
)

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from badges.errors import DocumentError
from badges.ports import JSONObject

__all__ = [
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
    "OneOrMany",
    "OpenBadgeCredential",
    "Profile",
    "Proof",
    "RefreshService",
    "Related",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "TermsOfUse",
    "WireModel",
    "as_list",
]

_T = TypeVar("_T")

# A multi-valued property: canonically an array, a single value tolerated on input
# (JSON-LD compaction turns one-element arrays into scalars; OB 3.0 §Serialization).
OneOrMany: TypeAlias = list[_T] | _T

# `type` of most OB classes: an array containing the class name; a single string tolerated.
Types: TypeAlias = list[str] | str

# JSON numbers: int before float so that 3 stays 3 (xsd:integer) and 3.0 stays 3.0.
Number: TypeAlias = int | float

Context: TypeAlias = list[str | dict[str, Any]] | str

# Properties whose values are separately signed documents or proofs: `canonical()` never
# rewrites inside them, or their own proofs would stop verifying.
_OPAQUE_FIELDS = frozenset({"endorsement", "proof"})

# Names pydantic adds to error locations for union members; not part of a document path.
_UNION_TAGS = frozenset({"str", "int", "float", "bool", "dict", "list", "none"})


@overload
def as_list(value: list[_T]) -> list[_T]: ...
@overload
def as_list(value: _T | None) -> list[_T]: ...
def as_list(value: Any) -> list[Any]:
    """Return a multi-valued property as a list, whichever form the document used."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


class WireModel(BaseModel):
    """Base of every OB 3.0 wire model: frozen, camelCase on the wire, lossless."""

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        strict=True,
        allow_inf_nan=False,
        alias_generator=to_camel,
        # The successor of `populate_by_name=True` (pydantic 2.11): Python code may use
        # field names; wire input is read by alias only (see `from_wire`).
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    # Whether this class's `type` is array-valued in canonical form. Image, IdentityObject,
    # IdentifierEntry, GeoCoordinates and the credentialSchema/credentialStatus/
    # refreshService/termsOfUse/proof entries carry a single string (OB 3.0 §Data Model).
    _type_is_array: ClassVar[bool] = True

    @classmethod
    def from_wire(cls, document: Any) -> Self:
        """Read a parsed JSON document.

        Args:
            document: the JSON value (normally a dict) as ``json.loads`` returns it.

        Returns:
            The model; unknown properties are kept as extras.

        Raises:
            DocumentError: the value does not have the shape of this class.
        """
        try:
            return cls.model_validate(document, by_alias=True, by_name=False)
        except ValidationError as exc:
            raise DocumentError(f"not a valid {cls.__name__}: {_describe(exc)}") from None

    @classmethod
    def from_json(cls, data: str | bytes) -> Self:
        """Read JSON text (UTF-8 when given as bytes).

        Duplicate keys and the non-JSON constants ``NaN``/``Infinity`` are rejected: parsers
        disagree on them, so a signed document containing them has no single meaning.

        Raises:
            DocumentError: the text is not JSON or does not have the shape of this class.
        """
        return cls.from_wire(load_json(data))

    def to_wire(self) -> JSONObject:
        """Return the JSON object (camelCase keys, ``None`` values left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_json(self, *, indent: int | None = None) -> str:
        """Return JSON text; non-ASCII characters are written as themselves (UTF-8)."""
        separators = (",", ":") if indent is None else None
        return json.dumps(
            self.to_wire(),
            ensure_ascii=False,
            allow_nan=False,
            indent=indent,
            separators=separators,
        )

    def canonical(self) -> Self:
        """Return a copy in canonical form: arrays where the model has arrays, Image objects.

        Single values of multi-valued properties become one-element arrays, a ``type``
        string becomes ``[type]`` where the class's ``type`` is an array, and a bare image
        URL becomes ``{"id": url, "type": "Image"}``. Unknown extension properties and
        embedded endorsements and proofs (separately signed) are left as they are. The RDF
        meaning is unchanged: JSON-LD reads a single value and a one-element array alike.
        """
        updates: dict[str, Any] = {}
        multi = _multi_valued_fields(type(self))
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            new = value
            if name == "type":
                if self._type_is_array and isinstance(value, str):
                    new = [value]
            elif name == "image" and isinstance(value, str):
                new = Image(id=value, type="Image")
            elif name in _OPAQUE_FIELDS:
                if name in multi and not isinstance(value, list):
                    new = [value]
            else:
                new = _canonical_value(value)
                if name in multi and not isinstance(new, list):
                    new = [new]
            if new is not value:
                updates[name] = new
        return self.model_copy(update=updates) if updates else self


def _canonical_value(value: Any) -> Any:
    if isinstance(value, WireModel):
        return value.canonical()
    if isinstance(value, list):
        items = [_canonical_value(item) for item in value]
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return items if changed else value
    return value


@cache
def _multi_valued_fields(cls: type[WireModel]) -> frozenset[str]:
    """Names of the fields whose annotation admits a list (multi-valued properties)."""
    names = set()
    for name, field in cls.model_fields.items():
        annotation = field.annotation
        members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
        if any(get_origin(member) is list for member in members if member is not NoneType):
            names.add(name)
    return frozenset(names)


def load_json(data: str | bytes) -> Any:
    """Parse JSON text strictly (see :meth:`WireModel.from_json`).

    Raises:
        DocumentError: not UTF-8, not JSON, duplicate keys, NaN/Infinity, or nested too deep.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise DocumentError(f"the document is not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise DocumentError(f"the document is not JSON: {exc}") from None
    except RecursionError:
        raise DocumentError("the document is nested too deeply") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DocumentError(f"the document repeats the key {key!r}")
        result[key] = value
    return result


def _no_constant(token: str) -> Any:
    raise DocumentError(f"{token} is not a JSON number")


def _describe(exc: ValidationError, limit: int = 5) -> str:
    """Turn pydantic's errors into "path: problem" phrases, without union member tags."""
    phrases: list[str] = []
    for error in exc.errors(include_url=False):
        path = ""
        for part in error["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            elif part in _UNION_TAGS or "[" in part or part in _MODEL_NAMES:
                continue
            else:
                path += f".{part}" if path else part
        phrase = f"{path or 'the document'}: {error['msg']}"
        if phrase not in phrases:
            phrases.append(phrase)
    more = len(phrases) - limit
    text = "; ".join(phrases[:limit])
    return f"{text} (and {more} more)" if more > 0 else text


# -- small value classes ---------------------------------------------------------------


class Image(WireModel):
    """An image (OB 3.0 Image); ``type`` is the string ``"Image"``."""

    _type_is_array = False

    id: str
    type: str
    caption: str | None = None


class Criteria(WireModel):
    """How the achievement is earned: a URL, a Markdown narrative, or both."""

    id: str | None = None
    narrative: str | None = None


class IdentityObject(WireModel):
    """One recipient identifier, usually a salted hash (OB 3.0 IdentityObject)."""

    _type_is_array = False

    type: str
    hashed: bool
    identity_hash: str
    identity_type: str
    salt: str | None = None


class IdentifierEntry(WireModel):
    """An alternative identifier of a Profile or Achievement."""

    _type_is_array = False

    type: str
    identifier: str
    identifier_type: str


class GeoCoordinates(WireModel):
    """A latitude/longitude pair of an Address."""

    _type_is_array = False

    type: str
    latitude: Number
    longitude: Number


class Address(WireModel):
    """A postal address of a Profile."""

    type: Types
    address_country: str | None = None
    address_country_code: str | None = None
    address_region: str | None = None
    address_locality: str | None = None
    street_address: str | None = None
    post_office_box_number: str | None = None
    postal_code: str | None = None
    geo: GeoCoordinates | None = None


class Alignment(WireModel):
    """A link from an achievement or result to a framework item (CASE, CTDL, ...)."""

    type: Types
    target_name: str
    target_url: str
    target_code: str | None = None
    target_description: str | None = None
    target_framework: str | None = None
    target_type: str | None = None


class Related(WireModel):
    """Another language edition or version of the same achievement."""

    id: str
    type: Types
    in_language: str | None = None
    version: str | None = None


class RubricCriterionLevel(WireModel):
    """One level of a rubric criterion (ordered low to high in its list)."""

    id: str
    type: Types
    name: str
    description: str | None = None
    level: str | None = None
    points: str | None = None
    alignment: OneOrMany[Alignment] | None = None


class ResultDescription(WireModel):
    """What kind of result an achievement records (grade, score, status, ...)."""

    id: str
    type: Types
    name: str
    result_type: str
    allowed_value: OneOrMany[str] | None = None
    required_level: str | None = None
    required_value: str | None = None
    value_min: str | None = None
    value_max: str | None = None
    rubric_criterion_level: OneOrMany[RubricCriterionLevel] | None = None
    alignment: OneOrMany[Alignment] | None = None


class Result(WireModel):
    """A recipient's result for one ResultDescription."""

    type: Types
    result_description: str | None = None
    value: str | None = None
    achieved_level: str | None = None
    status: str | None = None
    alignment: OneOrMany[Alignment] | None = None


class Evidence(WireModel):
    """Evidence of the achievement (keep ``id`` a URL; huge ``data:`` URIs slow signing)."""

    type: Types
    id: str | None = None
    narrative: str | None = None
    name: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None


class CredentialSchema(WireModel):
    """A schema the credential claims to match (``1EdTechJsonSchemaValidator2019``)."""

    _type_is_array = False

    id: str
    type: str


class CredentialStatus(WireModel):
    """A status entry (``1EdTechRevocationList``, ``BitstringStatusListEntry``, ...).

    ``id`` is optional here: VCDM 2.0 status entries may omit it, although the OB schema
    requires it.
    """

    _type_is_array = False

    type: str
    id: str | None = None
    status_purpose: str | None = None
    status_list_index: str | None = None
    status_list_credential: str | None = None


class RefreshService(WireModel):
    """Where a newer copy of the credential can be had (``1EdTechCredentialRefresh``)."""

    _type_is_array = False

    id: str
    type: str


class TermsOfUse(WireModel):
    """A terms-of-use policy attached to a credential."""

    _type_is_array = False

    type: str
    id: str | None = None


class Proof(WireModel):
    """An embedded Data Integrity proof; members of other proof types stay as extras."""

    _type_is_array = False

    type: str
    created: str | None = None
    cryptosuite: str | None = None
    challenge: str | None = None
    domain: str | None = None
    nonce: str | None = None
    proof_purpose: str | None = None
    proof_value: str | None = None
    verification_method: str | None = None


# -- profiles and achievements ---------------------------------------------------------


class Profile(WireModel):
    """An issuer, creator, source or endorser (OB 3.0 Profile)."""

    id: str
    type: Types
    name: str | None = None
    url: str | None = None
    phone: str | None = None
    description: str | None = None
    endorsement: OneOrMany[EndorsementCredential] | None = None
    endorsement_jwt: OneOrMany[str] | None = None
    image: Image | str | None = None
    email: str | None = None
    address: Address | None = None
    other_identifier: OneOrMany[IdentifierEntry] | None = None
    official: str | None = None
    parent_org: Profile | None = None
    family_name: str | None = None
    given_name: str | None = None
    additional_name: str | None = None
    patronymic_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    family_name_prefix: str | None = None
    date_of_birth: str | None = None


class Achievement(WireModel):
    """What was achieved (OB 3.0 Achievement): the badge class of OB 2.0."""

    id: str
    type: Types
    name: str
    description: str
    criteria: Criteria
    achievement_type: str | None = None
    alignment: OneOrMany[Alignment] | None = None
    creator: Profile | None = None
    credits_available: Number | None = None
    endorsement: OneOrMany[EndorsementCredential] | None = None
    endorsement_jwt: OneOrMany[str] | None = None
    field_of_study: str | None = None
    human_code: str | None = None
    image: Image | str | None = None
    in_language: str | None = None
    other_identifier: OneOrMany[IdentifierEntry] | None = None
    related: OneOrMany[Related] | None = None
    result_description: OneOrMany[ResultDescription] | None = None
    specialization: str | None = None
    tag: OneOrMany[str] | None = None
    version: str | None = None


class AchievementSubject(WireModel):
    """The recipient and what they achieved (``credentialSubject``).

    ``achievement`` is optional here only so that a credential lacking it can be read and
    reported; the schema check requires it. A subject needs ``id`` or ``identifier``.
    """

    type: Types
    id: str | None = None
    identifier: OneOrMany[IdentityObject] | None = None
    achievement: Achievement | None = None
    activity_start_date: str | None = None
    activity_end_date: str | None = None
    credits_earned: Number | None = None
    image: Image | str | None = None
    license_number: str | None = None
    narrative: str | None = None
    result: OneOrMany[Result] | None = None
    role: str | None = None
    source: Profile | None = None
    term: str | None = None


class EndorsementSubject(WireModel):
    """The endorsed entity (credential, achievement or profile) and the endorser's comment."""

    type: Types
    id: str | None = None
    endorsement_comment: str | None = None


# -- credentials -----------------------------------------------------------------------


class _Credential(WireModel):
    """Properties shared by both OB 3.0 credential classes (VCDM 2.0 and 1.1 dates)."""

    context: Context = Field(alias="@context")
    # Optional in VCDM (an embedded VCDM 1.1 endorsement may have none); OB requires it.
    id: str | None = None
    type: Types
    name: str | None = None
    description: str | None = None
    issuer: Profile | str
    valid_from: str | None = None
    valid_until: str | None = None
    # VCDM 1.1 credentials (verify only) carry these instead of validFrom/validUntil.
    issuance_date: str | None = None
    expiration_date: str | None = None
    awarded_date: str | None = None

    @property
    def types(self) -> tuple[str, ...]:
        """The credential's ``type`` values, whichever form the document used."""
        return tuple(as_list(self.type))

    @property
    def issuer_id(self) -> str:
        """The issuer's id, whether the issuer is embedded or given as a URI."""
        return self.issuer if isinstance(self.issuer, str) else self.issuer.id


class OpenBadgeCredential(_Credential):
    """An awarded achievement (OB 3.0 AchievementCredential, a.k.a. OpenBadgeCredential)."""

    image: Image | str | None = None
    credential_subject: AchievementSubject
    endorsement: OneOrMany[EndorsementCredential] | None = None
    endorsement_jwt: OneOrMany[str] | None = None
    evidence: OneOrMany[Evidence] | None = None
    credential_schema: OneOrMany[CredentialSchema] | None = None
    credential_status: OneOrMany[CredentialStatus] | None = None
    refresh_service: RefreshService | None = None
    terms_of_use: OneOrMany[TermsOfUse] | None = None
    proof: OneOrMany[Proof] | None = None


# OB 3.0 §Data Model: "AchievementCredential" and "OpenBadgeCredential" name the same class.
AchievementCredential = OpenBadgeCredential


class EndorsementCredential(_Credential):
    """A third party's endorsement of a credential, achievement or profile (OB 3.0)."""

    credential_subject: EndorsementSubject
    credential_schema: OneOrMany[CredentialSchema] | None = None
    credential_status: OneOrMany[CredentialStatus] | None = None
    refresh_service: RefreshService | None = None
    terms_of_use: OneOrMany[TermsOfUse] | None = None
    proof: OneOrMany[Proof] | None = None


_MODEL_NAMES = frozenset(
    cls.__name__
    for cls in (
        Image,
        Criteria,
        IdentityObject,
        IdentifierEntry,
        GeoCoordinates,
        Address,
        Alignment,
        Related,
        RubricCriterionLevel,
        ResultDescription,
        Result,
        Evidence,
        CredentialSchema,
        CredentialStatus,
        RefreshService,
        TermsOfUse,
        Proof,
        Profile,
        Achievement,
        AchievementSubject,
        EndorsementSubject,
        OpenBadgeCredential,
        EndorsementCredential,
    )
)

for _model in (Profile, Achievement, AchievementSubject, OpenBadgeCredential):
    _model.model_rebuild()
