"""eddsa-rdfc-2022 against the published vectors, byte for byte, and its failure modes."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

import base58
import pytest

from badges import data_integrity as di
from badges._crypto import decode_multikey
from badges.errors import DocumentError, SigningError
from tests.support import FIXED_NOW, VECTORS, SeedSigner, load_json

W3C = VECTORS / "w3c-vc-di-eddsa"
IMPL = VECTORS / "ob3-impl-guide-eddsa-rdfc-2022"


def _w3c_seed() -> bytes:
    secret = base58.b58decode(load_json("w3c-vc-di-eddsa/keyPair.json")["privateKeyMultibase"][1:])
    assert secret[:2] == b"\x80\x26"
    return secret[2:]


def _impl_seed() -> bytes:
    pair = load_json("ob3-impl-guide-eddsa-rdfc-2022/keypair.json")
    return bytes.fromhex(pair["privateKeyHex_64byte_seed_plus_public"])[:32]


@pytest.mark.parametrize(
    ("suite", "suffix", "signed_name"),
    [
        ("eddsa-rdfc-2022", "DataInt", "signedDataInt.json"),
        ("Ed25519Signature2020", "EdSig", "signedEdSig.json"),
    ],
)
def test_w3c_vector_intermediate_values_are_reproduced(
    suite: str, suffix: str, signed_name: str
) -> None:
    folder = W3C / suite
    signed = load_json(f"w3c-vc-di-eddsa/{suite}/{signed_name}")
    config = load_json(f"w3c-vc-di-eddsa/{suite}/proofConfig{suffix}.json")
    forms = di.canonical_forms(signed, signed["proof"], strict=False)
    assert forms.document_canonical == (folder / f"canonDoc{suffix}.txt").read_text()
    assert forms.proof_canonical == (folder / f"proofCanon{suffix}.txt").read_text()
    assert forms.proof_hash.hex() == (folder / f"proofHash{suffix}.txt").read_text()
    assert forms.document_hash.hex() == (folder / f"docHash{suffix}.txt").read_text()
    assert forms.hash_data.hex() == (folder / f"combinedHash{suffix}.txt").read_text()
    # The published proof configuration (with @context) is exactly what we canonicalize.
    assert di.proof_configuration(di.unsecured(signed), signed["proof"]) == {
        k: v for k, v in config.items()
    } | {"@context": signed["@context"]}

    signer = SeedSigner(_w3c_seed(), signed["proof"]["verificationMethod"])
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    resigned = di.add_proof(di.unsecured(signed), options, signer, strict=False)
    proof = resigned["proof"][0]
    assert di.signature_of(proof).hex() == (folder / f"sigHex{suffix}.txt").read_text()
    assert proof["proofValue"] == (folder / f"sigBTC58{suffix}.txt").read_text()
    assert proof["proofValue"] == signed["proof"]["proofValue"]


def test_w3c_vector_signature_verifies_with_its_did_key() -> None:
    signed = load_json("w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json")
    key = decode_multikey(load_json("w3c-vc-di-eddsa/keyPair.json")["publicKeyMultibase"])
    assert di.verify_signature(signed, signed["proof"], key)


def test_ob3_implementation_guide_vector_is_reproduced_byte_for_byte() -> None:
    unsigned = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    options = load_json("ob3-impl-guide-eddsa-rdfc-2022/proof-options.json")
    expected = load_json("ob3-impl-guide-eddsa-rdfc-2022/expected.json")
    signed_published = load_json("ob3-impl-guide-eddsa-rdfc-2022/signed-credential.json")

    forms = di.canonical_forms(unsigned, options, strict=True)
    assert forms.document_canonical == (IMPL / "document-canon.txt").read_text()
    assert forms.proof_canonical == (IMPL / "proof-canon.txt").read_text()
    assert forms.document_hash.hex() == expected["documentHashHex"]
    assert forms.proof_hash.hex() == expected["proofConfigHashHex"]
    assert forms.hash_data.hex() == expected["hashDataHex_proofHash_then_docHash"]

    signer = SeedSigner(_impl_seed(), options["verificationMethod"])
    signed = di.add_proof(unsigned, options, signer)
    assert signed["proof"][0]["proofValue"] == expected["proofValue"]
    assert di.signature_of(signed["proof"][0]).hex() == expected["signatureHex"]
    published_proof = signed_published["proof"]
    published_proof = published_proof[0] if isinstance(published_proof, list) else published_proof
    assert published_proof["proofValue"] == expected["proofValue"]


def _signed_sample() -> tuple[dict[str, Any], Any]:
    unsigned = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    signer = SeedSigner(_impl_seed(), "did:example:issuer#key-1")
    key = decode_multikey(
        load_json("ob3-impl-guide-eddsa-rdfc-2022/keypair.json")["publicKeyMultibase"]
    )
    return di.sign(unsigned, signer, created=FIXED_NOW), key


def test_signing_then_verifying_passes_and_keeps_the_document() -> None:
    signed, key = _signed_sample()
    proof = signed["proof"][0]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["created"] == "2026-11-30T12:00:00Z"
    assert "@context" not in proof
    assert di.verify_signature(signed, proof, key)


def test_a_changed_name_breaks_the_proof() -> None:
    signed, key = _signed_sample()
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    assert not di.verify_signature(tampered, tampered["proof"][0], key)


def test_a_changed_proof_option_breaks_the_proof() -> None:
    signed, key = _signed_sample()
    proof = dict(signed["proof"][0], created="2026-11-30T12:00:01Z")
    assert not di.verify_signature(signed, proof, key)


def test_signing_refuses_an_undefined_property_and_names_it() -> None:
    unsigned = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    unsigned["favouriteColour"] = "blue"
    signer = SeedSigner(_impl_seed(), "did:example:issuer#key-1")
    with pytest.raises(DocumentError, match="favouriteColour"):
        di.sign(unsigned, signer, created=FIXED_NOW)


def test_signing_refuses_a_type_its_contexts_do_not_define() -> None:
    unsigned = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    unsigned["credentialStatus"] = {
        "id": "https://example.com/list",
        "type": "1EdTechRevocationList",
    }
    signer = SeedSigner(_impl_seed(), "did:example:issuer#key-1")
    with pytest.raises(DocumentError, match="1EdTechRevocationList"):
        di.sign(unsigned, signer, created=FIXED_NOW)


def test_signing_with_a_non_ed25519_signer_is_refused() -> None:
    class Rsa:
        key_id = "k"
        algorithm = "RS256"

        def sign(self, data: bytes) -> bytes:
            return b""

    unsigned = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    with pytest.raises(SigningError):
        di.sign(unsigned, Rsa(), created=FIXED_NOW)


@pytest.mark.parametrize(
    ("proof_value", "message"),
    [
        (None, "no proofValue"),
        ("u" + "A" * 80, "base58btc multibase"),
        ("z0OIl", "not valid base58btc"),
        ("z" + base58.b58encode(b"\x01" * 63).decode(), "63 bytes"),
    ],
)
def test_malformed_proof_values_are_document_errors(proof_value: Any, message: str) -> None:
    signed, key = _signed_sample()
    proof = dict(signed["proof"][0], proofValue=proof_value)
    with pytest.raises(DocumentError, match=message):
        di.verify_signature(signed, proof, key)


def test_unknown_context_is_a_document_error_naming_the_url() -> None:
    signed, key = _signed_sample()
    signed["@context"] = [*signed["@context"], "https://example.com/my-context.jsonld"]
    with pytest.raises(DocumentError, match=re.escape("https://example.com/my-context.jsonld")):
        di.verify_signature(signed, signed["proof"][0], key)


def test_hash_data_puts_the_proof_hash_first() -> None:
    signed, _ = _signed_sample()
    forms = di.canonical_forms(signed, signed["proof"][0], strict=False)
    assert forms.hash_data[:32] == hashlib.sha256(forms.proof_canonical.encode()).digest()
