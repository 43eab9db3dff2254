"""Tests for Bitstring Status List encoding, entries and status reads."""

from __future__ import annotations

import base64
import gzip
import json
import time
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badges.errors import DocumentError
from badges.status_list import (
    MIN_ENTRIES,
    StatusEntry,
    StatusListError,
    decode_bitstring,
    encode_bitstring,
    get_bit,
    new_bitstring,
    parse_status_entries,
    read_status,
    set_bit,
    status_list_credential_subject,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "bitstring-status-list"
LIST_URL = "https://example.com/credentials/status/3"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def set_indexes(bits: bytes) -> set[int]:
    return {
        byte_index * 8 + bit
        for byte_index, byte in enumerate(bits)
        if byte
        for bit in range(8)
        if byte & (0x80 >> bit)
    }


def list_credential(
    bits: bytes | bytearray,
    *,
    purpose: str | list[str] = "revocation",
    types: list[str] | None = None,
    encoded: str | None = None,
) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": types or ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded or encode_bitstring(bits),
        },
    }


def entry(index: int = 94567, **overrides: Any) -> StatusEntry:
    fields: dict[str, Any] = {
        "type": "BitstringStatusListEntry",
        "purpose": "revocation",
        "index": index,
        "list_credential": LIST_URL,
    }
    fields.update(overrides)
    return StatusEntry(**fields)


def code_of(excinfo: pytest.ExceptionInfo[StatusListError]) -> str:
    return excinfo.value.code


# --- published and generated vectors ---------------------------------------------------


def test_spec_example_list_decodes_to_131072_unset_bits() -> None:
    subject = load("spec-example-status-list-credential.json")["credentialSubject"]
    bits = decode_bitstring(subject["encodedList"])
    assert len(bits) * 8 == 131_072
    assert not any(bits)


def test_generated_multibit_vector_has_exactly_the_listed_bits_set() -> None:
    vector = load("generated-multibit-decoding.json")
    bits = decode_bitstring(vector["encodedList"])
    assert len(bits) * 8 == vector["listLengthBits"]
    assert set_indexes(bits) == set(vector["setIndexes"]) == {0, 7, 8, 23, 94567, 131071}


def test_generated_multibit_vector_expectations_hold() -> None:
    vector = load("generated-multibit-decoding.json")
    bits = decode_bitstring(vector["encodedList"])
    for index, expected in vector["expect"].items():
        if expected.startswith("RANGE_ERROR"):
            with pytest.raises(StatusListError) as excinfo:
                get_bit(bits, int(index))
            assert code_of(excinfo) == "RANGE_ERROR"
        else:
            assert get_bit(bits, int(index)) == (1 if expected == "set" else 0), index


def test_spec_example_entry_reads_unset_from_the_spec_example_list() -> None:
    credential = load("spec-example-revocable-credential.json")
    (status,) = parse_status_entries(credential["credentialStatus"])
    assert status == StatusEntry(
        type="BitstringStatusListEntry",
        purpose="revocation",
        index=94567,
        list_credential=LIST_URL,
        id=f"{LIST_URL}#94567",
    )
    assert read_status(load("spec-example-status-list-credential.json"), status) == 0


def test_spec_example_with_two_entries_parses_both() -> None:
    statuses = load("spec-example-credential-two-entries.json")["credentialStatus"]
    parsed = parse_status_entries(statuses)
    assert [(e.purpose, e.index) for e in parsed] == [("revocation", 94567), ("suspension", 23452)]


# --- encoding -----------------------------------------------------------------------------


def test_encoding_is_multibase_base64url_without_padding_of_gzip() -> None:
    bits = new_bitstring()
    set_bit(bits, 3, 1)
    encoded = encode_bitstring(bits)
    assert encoded.startswith("uH4sI")  # "u" + base64url of the GZIP magic 1f 8b 08
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw) == bytes(bits)


def test_encoding_is_deterministic() -> None:
    bits = new_bitstring()
    set_bit(bits, 1000, 1)
    assert encode_bitstring(bits) == encode_bitstring(bytes(bits))


@pytest.mark.parametrize(
    "form",
    ["base64-padded", "base64url-padded", "base64url-bare", "base64-bare"],
)
def test_legacy_statuslist2021_forms_without_prefix_decode(form: str) -> None:
    bits = new_bitstring()
    for index in (0, 9, 1000, 131071):
        set_bit(bits, index, 1)
    compressed = gzip.compress(bytes(bits), mtime=0)
    standard = base64.b64encode(compressed).decode("ascii")
    # The case only means something if the alphabets differ and padding is present.
    assert standard.endswith("=") and ("+" in standard or "/" in standard)
    encoded = standard.translate(str.maketrans("+/", "-_")) if "url" in form else standard
    if "bare" in form:
        encoded = encoded.rstrip("=")
    assert decode_bitstring(encoded) == bytes(bits)


def test_decoding_refuses_a_decompression_bomb_quickly() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # GZIP container
    block = bytes(1 << 20)
    bomb = b"".join(compressor.compress(block) for _ in range(64)) + compressor.flush()
    encoded = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode("ascii")
    started = time.perf_counter()
    with pytest.raises(StatusListError) as excinfo:
        decode_bitstring(encoded, max_bytes=1 << 20)
    assert time.perf_counter() - started < 2.0
    assert code_of(excinfo) == "MALFORMED_VALUE_ERROR"
    assert "more than 1048576 bytes" in str(excinfo.value)


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("u!!!!", "not base64"),
        ("uAAAA", "not GZIP"),
        ("u" + base64.urlsafe_b64encode(gzip.compress(b"x" * 100)[:-12]).decode(), "truncated"),
        ("uH4sI\u00e9", "not base64"),
        ("u" + "A" * 5000, "too long"),
    ],
    ids=["bad-characters", "not-gzip", "truncated", "non-ascii", "too-long"],
)
def test_malformed_encoded_lists_are_refused(encoded: str, message: str) -> None:
    with pytest.raises(StatusListError, match=message) as excinfo:
        decode_bitstring(encoded, max_bytes=1024)
    assert code_of(excinfo) == "MALFORMED_VALUE_ERROR"


@settings(deadline=None, max_examples=50)
@given(indexes=st.sets(st.integers(0, MIN_ENTRIES - 1), max_size=40))
def test_set_bits_survive_an_encode_decode_round_trip(indexes: set[int]) -> None:
    bits = new_bitstring()
    for index in indexes:
        set_bit(bits, index, 1)
    decoded = decode_bitstring(encode_bitstring(bits))
    assert decoded == bytes(bits)
    assert set_indexes(decoded) == indexes


# --- bit order and ranges -----------------------------------------------------------------


def test_index_zero_is_the_most_significant_bit_of_the_first_byte() -> None:
    bits = new_bitstring()
    set_bit(bits, 0, 1)
    set_bit(bits, 7, 1)
    set_bit(bits, 9, 1)
    assert bits[:2] == bytes([0b1000_0001, 0b0100_0000])
    set_bit(bits, 0, 0)
    assert bits[0] == 0b0000_0001
    assert [get_bit(bits, i) for i in range(10)] == [0, 0, 0, 0, 0, 0, 0, 1, 0, 1]


def test_multibit_entries_are_read_most_significant_bit_first() -> None:
    bits = new_bitstring(MIN_ENTRIES * 2)
    set_bit(bits, 1, 3, status_size=2)
    set_bit(bits, 2, 2, status_size=2)
    assert bits[0] == 0b0011_1000
    assert [get_bit(bits, i, status_size=2) for i in range(4)] == [0, 3, 2, 0]
    triple = bytearray(3)
    set_bit(triple, 2, 0b101, status_size=3)  # bits 6..8, across a byte boundary
    assert triple[:2] == bytes([0b0000_0010, 0b1000_0000])
    assert get_bit(triple, 2, status_size=3) == 0b101


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, 10**30])
def test_index_outside_the_list_is_a_range_error(index: int) -> None:
    bits = new_bitstring()
    with pytest.raises(StatusListError) as excinfo:
        get_bit(bits, index)
    assert code_of(excinfo) == "RANGE_ERROR"
    with pytest.raises(StatusListError):
        set_bit(bits, index, 1)


def test_value_wider_than_the_status_size_is_refused() -> None:
    with pytest.raises(StatusListError, match="needs more than 1 bits"):
        set_bit(new_bitstring(), 5, 2)
    with pytest.raises(StatusListError):
        set_bit(new_bitstring(), 5, -1)


def test_new_bitstring_enforces_the_minimum_size() -> None:
    assert len(new_bitstring()) == 16_384
    with pytest.raises(ValueError, match="131072"):
        new_bitstring(MIN_ENTRIES - 8)
    with pytest.raises(ValueError, match="whole number of bytes"):
        new_bitstring(MIN_ENTRIES + 3)


# --- parsing entries ----------------------------------------------------------------------


def raw_entry(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    document.update(overrides)
    return {key: value for key, value in document.items() if value is not None}


@pytest.mark.parametrize("index", ["94567", 94567, "0094567"], ids=["string", "number", "zeros"])
def test_status_list_index_may_be_a_string_or_a_number(index: object) -> None:
    (parsed,) = parse_status_entries(raw_entry(statusListIndex=index))
    assert parsed.index == 94567


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"statusListIndex": "-3"}, "not a non-negative base-10 integer"),
        ({"statusListIndex": -3}, "negative"),
        ({"statusListIndex": "12a"}, "not a non-negative base-10 integer"),
        ({"statusListIndex": "1.5"}, "not a non-negative base-10 integer"),
        ({"statusListIndex": "\u0663"}, "not a non-negative base-10 integer"),
        ({"statusListIndex": 1.0}, "not an integer"),
        ({"statusListIndex": True}, "not an integer"),
        ({"statusListIndex": "9" * 5000}, "too large"),
        ({"statusListIndex": None}, "not an integer"),
        ({"statusPurpose": ""}, "statusPurpose"),
        ({"statusPurpose": None}, "statusPurpose"),
        ({"statusListCredential": 7}, "statusListCredential"),
        ({"type": "1EdTechRevocationList"}, "type"),
        ({"type": ["BitstringStatusListEntry", "StatusList2021Entry"]}, "type"),
        ({"id": LIST_URL}, "must not be the status list URL"),
        ({"statusSize": 0}, "statusSize"),
        ({"statusSize": "2"}, "statusSize"),
        ({"statusSize": 2}, "statusMessage is required"),
        ({"statusSize": 1, "statusMessage": [{"status": "0x0", "message": "ok"}]}, "2 items"),
        (
            {"statusSize": 1, "statusMessage": [{"status": "0", "message": "a"}] * 2},
            "0x-prefixed",
        ),
    ],
)
def test_malformed_entries_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(StatusListError, match=message) as excinfo:
        parse_status_entries(raw_entry(**overrides))
    assert code_of(excinfo) == "MALFORMED_VALUE_ERROR"


def test_entry_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"credentialStatus\[1\]: is not an object"):
        parse_status_entries([raw_entry(), "https://example.com/status"])


def test_status_messages_are_parsed_and_looked_up() -> None:
    messages = [
        {"status": "0x0", "message": "valid"},
        {"status": "0x1", "message": "pending review"},
        {"status": "0x2", "message": "rejected"},
        {"status": "0x3", "message": "withdrawn"},
    ]
    (parsed,) = parse_status_entries(
        raw_entry(statusPurpose="message", statusSize=2, statusMessage=messages)
    )
    assert parsed.status_size == 2
    assert parsed.message_for(2) == "rejected"
    assert parsed.message_for(7) is None


def test_entry_to_json_parses_back_to_the_same_entry() -> None:
    original = entry(
        index=42, status_size=2, status_messages=((0, "a"), (1, "b"), (2, "c"), (3, "d"))
    )
    document = original.to_json()
    assert document["statusListIndex"] == "42"
    assert document["id"] == f"{LIST_URL}#42"
    assert parse_status_entries(document) == [replace(original, id=f"{LIST_URL}#42")]


def test_legacy_statuslist2021_entry_is_accepted() -> None:
    (parsed,) = parse_status_entries(raw_entry(type="StatusList2021Entry"))
    assert parsed.type == "StatusList2021Entry"


# --- reading a status from a list credential ---------------------------------------------------


def test_read_status_returns_the_bit_for_the_entry() -> None:
    bits = new_bitstring()
    set_bit(bits, 94567, 1)
    credential = list_credential(bits)
    assert read_status(credential, entry(94567)) == 1
    assert read_status(credential, entry(94566)) == 0


def test_read_status_accepts_a_list_serving_several_purposes() -> None:
    bits = new_bitstring()
    set_bit(bits, 5, 1)
    credential = list_credential(bits, purpose=["revocation", "suspension"])
    assert read_status(credential, entry(5, purpose="suspension")) == 1


def test_purpose_mismatch_is_a_verification_error() -> None:
    credential = list_credential(new_bitstring(), purpose="suspension")
    with pytest.raises(StatusListError, match="not 'revocation'") as excinfo:
        read_status(credential, entry())
    assert code_of(excinfo) == "STATUS_VERIFICATION_ERROR"


def test_list_credential_of_the_wrong_type_is_refused() -> None:
    credential = list_credential(new_bitstring(), types=["VerifiableCredential"])
    with pytest.raises(StatusListError, match="BitstringStatusListCredential") as excinfo:
        read_status(credential, entry())
    assert code_of(excinfo) == "STATUS_VERIFICATION_ERROR"


def test_too_short_list_is_a_length_error() -> None:
    credential = list_credential(bytes(16))
    with pytest.raises(StatusListError, match="holds 128 entries") as excinfo:
        read_status(credential, entry(3))
    assert code_of(excinfo) == "STATUS_LIST_LENGTH_ERROR"


def test_multibit_entries_need_a_proportionally_longer_list() -> None:
    messages = ((0, "a"), (1, "b"), (2, "c"), (3, "d"))
    credential = list_credential(new_bitstring())  # 131072 bits = 65536 two-bit entries
    with pytest.raises(StatusListError) as excinfo:
        read_status(credential, entry(3, status_size=2, status_messages=messages))
    assert code_of(excinfo) == "STATUS_LIST_LENGTH_ERROR"
    bits = new_bitstring(MIN_ENTRIES * 2)
    set_bit(bits, 3, 2, status_size=2)
    read = read_status(list_credential(bits), entry(3, status_size=2, status_messages=messages))
    assert read == 2


def test_index_beyond_the_list_is_a_range_error() -> None:
    with pytest.raises(StatusListError) as excinfo:
        read_status(list_credential(new_bitstring()), entry(MIN_ENTRIES))
    assert code_of(excinfo) == "RANGE_ERROR"


def test_list_without_an_encoded_list_is_malformed() -> None:
    credential = list_credential(new_bitstring())
    del credential["credentialSubject"]["encodedList"]
    with pytest.raises(StatusListError) as excinfo:
        read_status(credential, entry())
    assert code_of(excinfo) == "MALFORMED_VALUE_ERROR"


def test_legacy_statuslist2021_list_is_read() -> None:
    bits = new_bitstring()
    set_bit(bits, 77, 1)
    legacy = list_credential(
        bits,
        types=["VerifiableCredential", "StatusList2021Credential"],
        encoded=base64.b64encode(gzip.compress(bytes(bits))).decode("ascii"),
    )
    legacy["credentialSubject"]["type"] = "StatusList2021"
    assert read_status(legacy, entry(77, type="StatusList2021Entry")) == 1
    with pytest.raises(StatusListError, match="BitstringStatusListCredential"):
        read_status(legacy, entry(77))


# --- building a list ---------------------------------------------------------------------------


def test_credential_subject_has_the_bitstring_status_list_shape() -> None:
    bits = new_bitstring()
    set_bit(bits, 12, 1)
    subject = status_list_credential_subject(
        subject_id=f"{LIST_URL}#list", purpose="revocation", bits=bits
    )
    assert set(subject) == {"id", "type", "statusPurpose", "encodedList"}
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert get_bit(decode_bitstring(subject["encodedList"]), 12) == 1
    both = status_list_credential_subject(
        subject_id="x", purpose=["revocation", "suspension"], bits=bits, ttl=300_000
    )
    assert both["statusPurpose"] == ["revocation", "suspension"]
    assert both["ttl"] == 300_000


def test_credential_subject_refuses_a_short_list_or_no_purpose() -> None:
    with pytest.raises(ValueError, match="at least 131072 entries"):
        status_list_credential_subject(subject_id="x", purpose="revocation", bits=bytes(100))
    with pytest.raises(ValueError, match="at least 131072 entries"):
        status_list_credential_subject(
            subject_id="x", purpose="message", bits=new_bitstring(), status_size=2
        )
    with pytest.raises(ValueError, match="statusPurpose"):
        status_list_credential_subject(subject_id="x", purpose=[], bits=new_bitstring())


def test_status_list_error_names_its_problem_type() -> None:
    with pytest.raises(StatusListError) as excinfo:
        get_bit(bytes(1), 8)
    assert excinfo.value.type_iri == "https://www.w3.org/ns/credentials/status-list#RANGE_ERROR"
    assert isinstance(excinfo.value, DocumentError)
