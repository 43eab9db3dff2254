"""Check OB 3.0 documents against the official 1EdTech JSON Schemas, plus the rules they omit.

The schemas ship in ``badges/schemas/`` (``index.json`` lists URL, file and sha256). They are
loaded once, registered in a ``referencing`` registry under the purl URL that credentials
put in ``credentialSchema[].id`` (not under the ``$id`` inside the files, which differs),
and compiled into ``Draft201909Validator`` objects that are reused for every call.

Validation of a credential, in order:

1. Pick the schema: ``EndorsementCredential`` in ``type`` selects the endorsement schema,
   anything else the AchievementCredential schema. Item 0 of ``@context`` picks the data
   model: ``https://www.w3.org/2018/credentials/v1`` means VCDM 1.1, anything else 2.0.
2. Validate. VCDM 2.0 credentials are validated with the official schema as it is.
3. Tolerate compaction: where a failure is a single value given for an array property
   (``type``, ``proof``, ``credentialSchema``, ``termsOfUse``, ...) or a bare URL given for
   an ``Image``, wrap the value and validate again. JSON-LD compaction produces these
   forms legally, and 1EdTech's validator reports them as warnings because its
   compaction-tolerant ``/schema/json-ld/`` schemas accept them (OB 3.0 §Serialization).
   Each such fix becomes a warning; whatever still fails is an error.
4. Assert the schema's ``format`` keywords (``date-time``, ``date``: RFC 3339, as JSON Schema
   2019-09 §7.3.1 defines them). Formats are annotations unless a validator opts in, so a
   violation is a warning, not an error: the credential still conforms. This library's own
   builder refuses any issue, so what Shomei issues passes with formats asserted.
5. Apply the rules the schema cannot express (OB 3.0 §Verification): the subject has an
   ``id`` or a non-empty ``identifier``; ``validFrom``/``validUntil`` (VCDM 1.1:
   ``issuanceDate``/``expirationDate``) and ``awardedDate`` are date-times with a time
   zone (XSD dateTimeStamp); ``validUntil`` is not before ``validFrom``.

The VCDM 1.1 schemas. OB 3.0 requires displayers to verify credentials issued against
VCDM 1.1, for which 1EdTech publishes "any" schemas (``…_anyachievementcredential_schema.json``)
that are not available to us. We build the equivalent at load time from the official
schema, changing only what differs between the two data models:

* ``validFrom`` is renamed ``issuanceDate`` (and stays required), ``validUntil`` is renamed
  ``expirationDate``, and ``name`` becomes required (AchievementCredentialv1p1);
* item 0 of ``@context`` must be ``https://www.w3.org/2018/credentials/v1`` instead of
  ``https://www.w3.org/ns/credentials/v2`` (item 1, the OB context, keeps its pattern);
* the embedded ``EndorsementCredential`` definition dispatches on its own ``@context``
  item 0 (``if``/``then``/``else``) between the 1.1 form built the same way and the
  official 2.0 form, since a VCDM 1.1 credential may embed endorsements of either kind.

Those derived schemas are registered under ``urn:shomei:schema:…`` identifiers, never
under a 1EdTech URL, because they are ours.

Messages are written for people: ``credentialSubject.achievement is required``, not a dump
of the failing schema.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources
from typing import Any, Literal

import jsonschema_rs
from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

from badges._once import once
from badges.ports import JSONObject
from badges.report import Check

__all__ = [
    "ACHIEVEMENT_CREDENTIAL_SCHEMA_URL",
    "ENDORSEMENT_CREDENTIAL_SCHEMA_URL",
    "PROFILE_SCHEMA_URL",
    "VCDM1_CONTEXT",
    "VCDM2_CONTEXT",
    "SchemaIssue",
    "check_schema",
    "parse_datetime_stamp",
    "validate_credential",
    "validate_profile",
]

_PURL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
ACHIEVEMENT_CREDENTIAL_SCHEMA_URL = _PURL + "ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_CREDENTIAL_SCHEMA_URL = _PURL + "ob_v3p0_endorsementcredential_schema.json"
PROFILE_SCHEMA_URL = _PURL + "ob_v3p0_profile_schema.json"

VCDM1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"

_VARIANT_IDS = {
    ACHIEVEMENT_CREDENTIAL_SCHEMA_URL: "urn:shomei:schema:ob_v3p0_achievementcredential_vcdm11",
    ENDORSEMENT_CREDENTIAL_SCHEMA_URL: "urn:shomei:schema:ob_v3p0_endorsementcredential_vcdm11",
}

_SPEC = "OB 3.0 §Verification"

Level = Literal["error", "warning"]
Rule = Literal["schema", "compacted", "format"]
_Kind = Literal["achievement", "endorsement"]
_Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One problem found in a document.

    Attributes:
        path: where, as ``credentialSubject.achievement.name`` or ``proof[0]``; ``""`` is the
            document itself.
        message: one sentence a person can act on.
        level: ``"error"`` (the document does not conform) or ``"warning"`` (a tolerated
            deviation from the canonical form, or a value not in the schema's ``format``).
        rule: what found it: the schema's structure, a compacted value read in canonical
            form, or a ``format`` assertion.
    """

    path: str
    message: str
    level: Level
    rule: Rule = "schema"


# -- public API --------------------------------------------------------------------------


def validate_credential(doc: JSONObject) -> list[SchemaIssue]:
    """Validate an AchievementCredential/OpenBadgeCredential or EndorsementCredential.

    Args:
        doc: the parsed credential (VCDM 2.0, or VCDM 1.1 for verification).

    Returns:
        Warnings first, then errors; an empty list when the credential conforms.
    """
    if not isinstance(doc, dict):
        return [SchemaIssue("", "the credential must be a JSON object", "error")]
    kind: _Kind = "achievement"
    url = ACHIEVEMENT_CREDENTIAL_SCHEMA_URL
    if "EndorsementCredential" in _as_list(doc.get("type")):
        kind, url = "endorsement", ENDORSEMENT_CREDENTIAL_SCHEMA_URL
    vcdm11 = _is_vcdm11(doc)
    schemas = _schemas()
    validator = schemas.vcdm11[url] if vcdm11 else schemas.official[url]
    return _validate(validator, doc, lambda d: _rule_issues(d, kind=kind, vcdm11=vcdm11))


def validate_profile(doc: JSONObject) -> list[SchemaIssue]:
    """Validate a Profile (issuer, creator, endorser) against the official Profile schema.

    Returns:
        Warnings first (tolerated single values), then errors; empty when it conforms.
    """
    if not isinstance(doc, dict):
        return [SchemaIssue("", "the profile must be a JSON object", "error")]
    return _validate(_schemas().official[PROFILE_SCHEMA_URL], doc, lambda _: [])


def check_schema(doc: JSONObject) -> Check:
    """Run :func:`validate_credential` and summarise it as the verification check ``schema``.

    Returns:
        ``passed`` when the credential conforms, ``warning`` when it conforms only after
        tolerated normalisation, ``failed`` when any error remains.
    """
    issues = validate_credential(doc)
    errors = [i for i in issues if i.level == "error"]
    warnings = [i for i in issues if i.level == "warning"]
    if errors:
        message = f"The credential does not match the OB 3.0 JSON Schema: {_summary(errors)}."
        return Check(id="schema", status="failed", message=message, spec=_SPEC)
    if warnings:
        compacted = [i for i in warnings if i.rule != "format"]
        formats = [i for i in warnings if i.rule == "format"]
        sentences = []
        if compacted:
            sentences.append(
                "The credential matches the OB 3.0 JSON Schema once compacted values are read "
                f"in canonical form: {_summary(compacted)}."
            )
        if formats:
            sentences.append(
                (
                    "Some values"
                    if compacted
                    else "The credential matches the OB 3.0 JSON Schema, but some values"
                )
                + f" do not have the format the schema names: {_summary(formats)}."
            )
        return Check(id="schema", status="warning", message=" ".join(sentences), spec=_SPEC)
    return Check(
        id="schema",
        status="passed",
        message="The credential matches the OB 3.0 JSON Schema.",
        spec=_SPEC,
    )


# XSD dateTimeStamp: a date-time whose time zone is mandatory (Z or ±hh:mm). Upper-case
# "T" and "Z" only, as in XSD; RFC 3339's lower-case variants are not dateTimeStamps.
_DATETIME_STAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})"
)


def parse_datetime_stamp(value: str) -> datetime:
    """Parse an OB 3.0 ``DateTimeZ`` (XSD dateTimeStamp) into an aware datetime.

    Fractions beyond microseconds are truncated, which is enough for comparisons.

    Raises:
        ValueError: ``value`` has no time zone or is not a valid date-time.
    """
    match = _DATETIME_STAMP.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a date-time with a time zone")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"]
    if zone == "Z":
        tz = UTC
    else:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 14 or minutes > 59 or (hours == 14 and minutes):
            raise ValueError(f"{value!r} has an impossible time-zone offset")
        sign = -1 if zone[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    naive = datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}")
    return naive.replace(tzinfo=tz)


# -- formats (RFC 3339 §5.6, as JSON Schema 2019-09 §7.3.1 uses them) --------------------

_RFC3339_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_RFC3339_TIME = re.compile(
    r"(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))", re.ASCII
)


def _is_full_date(value: str) -> bool:
    match = _RFC3339_DATE.fullmatch(value)
    if match is None:
        return False
    try:
        date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def _is_date_time_text(value: str) -> bool:
    day, separator, time = value[:10], value[10:11], value[11:]
    if separator not in ("T", "t") or not _is_full_date(day):
        return False
    match = _RFC3339_TIME.fullmatch(time)
    if match is None:
        return False
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    offset_hour, offset_minute = int(match[4] or 0), int(match[5] or 0)
    # A leap second (:60) is a valid RFC 3339 time.
    return hour < 24 and minute < 60 and second <= 60 and offset_hour < 24 and offset_minute < 60


def _is_date_time(value: object) -> bool:
    """RFC 3339 ``date-time``; formats constrain strings only, other values pass."""
    return not isinstance(value, str) or _is_date_time_text(value)


def _is_date(value: object) -> bool:
    """RFC 3339 ``full-date``; formats constrain strings only, other values pass."""
    return not isinstance(value, str) or _is_full_date(value)


_FORMATS: dict[str, Any] = {"date-time": _is_date_time, "date": _is_date}
_FORMAT_CHECKER = FormatChecker(formats=())
for _name, _check in _FORMATS.items():
    _FORMAT_CHECKER.checks(_name)(_check)
_FORMAT_NAMES = {
    "date-time": "a date-time with a time zone (RFC 3339)",
    "date": "a date (RFC 3339 full-date)",
}


# -- loading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Schemas:
    registry: Registry[Any]
    official: dict[str, Draft201909Validator]
    vcdm11: dict[str, Draft201909Validator]
    # The same schemas compiled by a much faster validator, formats asserted: it answers
    # "valid?" for the common case; the detailed (and tolerant) path runs only for documents
    # it rejects.
    fast: dict[int, Any]


@once
def _schemas() -> _Schemas:
    """Load the shipped schemas and compile their validators (once per process)."""
    package = resources.files("badges") / "schemas"
    index = json.loads((package / "index.json").read_text(encoding="utf-8"))
    contents: dict[str, JSONObject] = {
        row["url"]: json.loads((package / row["file"]).read_text(encoding="utf-8")) for row in index
    }
    variants = {
        _VARIANT_IDS[url]: _vcdm11_schema(contents[url], _VARIANT_IDS[url]) for url in _VARIANT_IDS
    }
    resources_ = [
        (uri, Resource.from_contents(schema, default_specification=DRAFT201909))
        for uri, schema in (contents | variants).items()
    ]
    # crawl() also registers each file under its own `$id`, which its internal
    # `#/$defs/...` references resolve against.
    registry: Registry[Any] = Registry().with_resources(resources_).crawl()

    def compile_(uri: str) -> Draft201909Validator:
        return Draft201909Validator(registry.contents(uri), registry=registry)

    official = {url: compile_(url) for url in contents}
    vcdm11 = {url: compile_(variant) for url, variant in _VARIANT_IDS.items()}
    fast = {
        id(validator): jsonschema_rs.Draft201909Validator(
            registry.contents(uri), validate_formats=True, formats=_FORMATS, offline=True
        )
        for uri, validator in (
            *official.items(),
            *((_VARIANT_IDS[url], validator) for url, validator in vcdm11.items()),
        )
    }
    return _Schemas(registry=registry, official=official, vcdm11=vcdm11, fast=fast)


def _vcdm11_schema(official: JSONObject, schema_id: str) -> JSONObject:
    """Derive the VCDM 1.1 form of an official credential schema (see module docstring)."""
    defs = copy.deepcopy(official["$defs"])
    if "EndorsementCredential" in defs:
        defs["EndorsementCredentialVcdm20"] = defs["EndorsementCredential"]
        defs["EndorsementCredentialVcdm11"] = _vcdm11_credential(defs["EndorsementCredential"])
        defs["EndorsementCredential"] = {
            "if": {
                "type": "object",
                "required": ["@context"],
                "properties": {"@context": {"type": "array", "items": [{"const": VCDM1_CONTEXT}]}},
            },
            "then": {"$ref": "#/$defs/EndorsementCredentialVcdm11"},
            "else": {"$ref": "#/$defs/EndorsementCredentialVcdm20"},
        }
    root = _vcdm11_credential({k: v for k, v in official.items() if k != "$defs"})
    root["$id"] = schema_id
    root["$defs"] = defs
    return root


def _vcdm11_credential(node: JSONObject) -> JSONObject:
    out = copy.deepcopy(node)
    properties, required = out["properties"], out["required"]
    first_context = properties["@context"]["items"][0]
    # Fail loudly at load time if a future schema no longer has the shape we rewrite.
    if (
        "validFrom" not in properties
        or "validFrom" not in required
        or first_context != {"enum": [VCDM2_CONTEXT]}
    ):
        raise RuntimeError("the shipped OB 3.0 schema does not have the expected VCDM 2.0 shape")
    renames = {"validFrom": "issuanceDate", "validUntil": "expirationDate"}
    out["properties"] = {renames.get(key, key): value for key, value in properties.items()}
    out["properties"]["@context"]["items"][0] = {"enum": [VCDM1_CONTEXT]}
    out["required"] = [renames.get(key, key) for key in required]
    if "name" not in out["required"]:
        out["required"].append("name")
    return out


# -- validation --------------------------------------------------------------------------


def _validate(
    validator: Draft201909Validator,
    doc: JSONObject,
    rules: Callable[[JSONObject], list[SchemaIssue]],
) -> list[SchemaIssue]:
    """Steps 2 to 5: warnings first, then errors."""
    if _schemas().fast[id(validator)].is_valid(doc):  # formats asserted: the common case
        return rules(doc)
    warnings, errors, normalised = _validate_tolerantly(validator, doc)
    errors.extend(rules(normalised))
    return warnings + _format_issues(validator, normalised, errors) + errors


def _validate_tolerantly(
    validator: Draft201909Validator, doc: JSONObject
) -> tuple[list[SchemaIssue], list[SchemaIssue], JSONObject]:
    """Validate, wrapping compacted values until no tolerated failure remains (step 3)."""
    errors = list(validator.iter_errors(doc))
    current, warnings = doc, []
    fixed: set[_Path] = set()
    for _ in range(16):  # each round fixes one nesting level; documents are not that deep
        targets = {p: how for p, how in _tolerated(errors).items() if p not in fixed}
        if not targets:
            break
        if current is doc:
            current = copy.deepcopy(doc)
        for path, how in sorted(targets.items(), key=lambda item: -len(item[0])):
            _rewrite(current, path, how)
            fixed.add(path)
            text = _format_path(path)
            if how == "array":
                message = f"{text} is a single value; OB 3.0 expects an array"
            else:
                message = f"{text} is a bare URL; OB 3.0 expects an Image object"
            warnings.append(SchemaIssue(text, message, "warning", "compacted"))
        errors = list(validator.iter_errors(current))
    return warnings, _unique(_describe_all(errors)), current


def _format_issues(
    validator: Draft201909Validator, doc: JSONObject, errors: Sequence[SchemaIssue]
) -> list[SchemaIssue]:
    """Values not in the format the schema names (step 4), where no error names them already."""
    flagged = {issue.path for issue in errors}
    found: dict[str, SchemaIssue] = {}
    asserting = validator.evolve(format_checker=_FORMAT_CHECKER)
    for error in _walk(asserting.iter_errors(doc)):
        if error.validator != "format":
            continue
        text = _format_path(error.absolute_path)
        if text in flagged or text in found:
            continue
        wanted = _FORMAT_NAMES.get(str(error.validator_value), str(error.validator_value))
        message = f"{text} is {_show(error.instance)}, not {wanted}"
        found[text] = SchemaIssue(text, message, "warning", "format")
    return list(found.values())


def _tolerated(errors: Iterable[ValidationError]) -> dict[_Path, str]:
    """Paths where a compacted form caused a failure, with how to expand it."""
    found: dict[_Path, str] = {}
    for error in _walk(errors):
        if error.validator != "type":
            continue
        path = tuple(error.absolute_path)
        if not path:
            continue
        expected = _as_list(error.validator_value)
        if "array" in expected and not isinstance(error.instance, list) and path != ("@context",):
            found[path] = "array"
        elif "object" in expected and isinstance(error.instance, str) and _is_image(error.schema):
            found[path] = "image"
    return found


def _walk(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        yield error
        yield from _walk(error.context or ())


def _is_image(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    type_schema = schema.get("properties", {}).get("type", {})
    return isinstance(type_schema, dict) and type_schema.get("enum") == ["Image"]


def _rewrite(doc: Any, path: _Path, how: str) -> None:
    *parents, last = path
    holder = doc
    for part in parents:
        holder = holder[part]
    value = holder[last]
    holder[last] = [value] if how == "array" else {"id": value, "type": "Image"}


# -- rules the schema cannot express ----------------------------------------------------


def _rule_issues(doc: JSONObject, *, kind: _Kind, vcdm11: bool) -> list[SchemaIssue]:
    issues: list[SchemaIssue] = []
    subject = doc.get("credentialSubject")
    # OB 3.0 AchievementSubject: "id" or "identifier" is required (the schema has neither).
    if kind == "achievement" and isinstance(subject, dict):
        has_id = isinstance(subject.get("id"), str) and bool(subject["id"])
        if not has_id and not _as_list(subject.get("identifier")):
            issues.append(
                SchemaIssue(
                    "credentialSubject",
                    "credentialSubject needs an id or at least one identifier",
                    "error",
                )
            )
    start, end = ("issuanceDate", "expirationDate") if vcdm11 else ("validFrom", "validUntil")
    parsed: dict[str, datetime] = {}
    for key in (start, end, "awardedDate"):
        value = doc.get(key)
        if not isinstance(value, str):  # absent, or a type error the schema reported
            continue
        try:
            parsed[key] = parse_datetime_stamp(value)
        except ValueError:
            issues.append(
                SchemaIssue(
                    key,
                    f"{key} must be a date-time with a time zone, such as "
                    f"2026-11-30T12:00:00Z (found {_show(value)})",
                    "error",
                )
            )
    if start in parsed and end in parsed and parsed[end] < parsed[start]:
        issues.append(
            SchemaIssue(
                end,
                f"{end} ({doc[end]}) is earlier than {start} ({doc[start]})",
                "error",
            )
        )
    return issues


# -- messages ----------------------------------------------------------------------------

_TYPE_NAMES = {
    "array": "an array",
    "object": "an object",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}

# The patterns of the official schemas, in words.
_PATTERN_NAMES = {
    r"^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.\d\.\d)*\.json$": (
        "an OB 3.0 context URL such as https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    ),
    "(ext:)[a-z|A-Z|0-9|.|-|_]+": "an extension term such as ext:MyTerm",
    "^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$": "a language code such as en or ja-JP",
    "^[a-zA-Z0-9_-]+\\.[a-zA-Z0-9_-]*\\.[a-zA-Z0-9_-]+$": (
        "a compact JWS (header.payload.signature)"
    ),
}


def _describe_all(errors: Iterable[ValidationError]) -> Iterator[SchemaIssue]:
    for error in errors:
        yield from _describe(error)


def _describe(error: ValidationError) -> Iterator[SchemaIssue]:
    path = tuple(error.absolute_path)
    text = _format_path(path)
    subject = text or "the document"
    keyword: Any = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance

    def issue(message: str, where: str = text) -> SchemaIssue:
        return SchemaIssue(where, message, "error")

    if keyword == "required":
        # jsonschema reports one error per missing property, named in its message.
        for name in expected:
            missing = isinstance(instance, dict) and name not in instance
            if missing and error.message.startswith(repr(name)):
                where = _format_path((*path, name))
                yield issue(f"{where} is required", where)
        return
    if keyword == "type":
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in _as_list(expected))
        yield issue(f"{subject} must be {wanted} (found {_kind_of(instance)})")
    elif keyword in ("enum", "const"):
        yield issue(f"{subject} must be {_choices(_as_list(expected))} (found {_show(instance)})")
    elif keyword == "contains" and isinstance(expected, dict) and "enum" in expected:
        yield issue(f"{subject} must include {_choices(expected['enum'])}")
    elif keyword == "minItems":
        yield issue(f"{subject} must have at least {expected} entries")
    elif keyword == "pattern":
        wanted = _PATTERN_NAMES.get(expected, f"text matching {expected}")
        yield issue(f"{subject} must be {wanted} (found {_show(instance)})")
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = ", ".join(sorted(k for k in instance if k not in allowed))
        yield issue(f"{subject} has properties the schema does not allow: {extra}")
    elif keyword in ("oneOf", "anyOf"):
        yield from _describe_alternatives(error, subject)
    else:
        yield issue(f"{subject}: {error.message}")


def _describe_alternatives(error: ValidationError, subject: str) -> Iterator[SchemaIssue]:
    """Explain a failed oneOf/anyOf from the branch that fits the value's JSON type."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    same_place = [subs for subs in branches.values() if all(not s.relative_path for s in subs)]
    # A branch that rejects the value's own JSON type (a string where it wants an object)
    # is the wrong kind of value; explain the branch that fits instead.
    fitting = [
        subs
        for subs in branches.values()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
    ]
    if not fitting:
        wanted = [
            t
            for subs in branches.values()
            for s in subs
            if s.validator == "type" and not s.relative_path
            for t in _as_list(s.validator_value)
        ]
        words = " or ".join(_TYPE_NAMES.get(t, t) for t in dict.fromkeys(wanted))
        yield SchemaIssue(subject, f"{subject} must be {words}", "error")
        return
    if len(fitting) > 1 and len(same_place) == len(branches):
        # Value alternatives, e.g. achievementType: a listed term or an "ext:" term.
        options = []
        for subs in fitting:
            for sub in subs:
                value: Any = sub.validator_value
                if sub.validator == "enum":
                    options.append(_choices(value))
                elif sub.validator == "pattern":
                    options.append(_PATTERN_NAMES.get(value, f"text matching {value}"))
        if options:
            message = f"{subject} must be {' or '.join(options)} (found {_show(error.instance)})"
            yield SchemaIssue(subject, message, "error")
            return
    for sub in fitting[0]:
        yield from _describe(sub)


def _choices(values: Sequence[Any]) -> str:
    shown = [str(v) for v in values]
    if len(shown) == 1:
        return shown[0]
    if len(shown) > 12:
        shown = [*shown[:10], "…"]
    return "one of " + ", ".join(shown)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return f"the string {_show(value)}"
    for python_type, name in ((dict, "object"), (list, "array"), (int, "number")):
        if isinstance(value, python_type):
            return _TYPE_NAMES[name]
    if isinstance(value, float):
        return _TYPE_NAMES["number"]
    return "null"


def _show(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary(issues: Sequence[SchemaIssue], limit: int = 5) -> str:
    text = "; ".join(i.message for i in issues[:limit])
    return f"{text} (and {len(issues) - limit} more)" if len(issues) > limit else text


def _unique(issues: Iterable[SchemaIssue]) -> list[SchemaIssue]:
    # allOf branches (e.g. the two `type` clauses) can report the same problem twice.
    return list(dict.fromkeys(issues))


def _format_path(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_vcdm11(doc: JSONObject) -> bool:
    contexts = _as_list(doc.get("@context"))
    return bool(contexts) and contexts[0] == VCDM1_CONTEXT
