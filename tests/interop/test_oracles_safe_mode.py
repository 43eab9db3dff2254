"""JSON-LD safe mode, side by side: ``@digitalbazaar/vc`` and our verifier reach the same verdict.

The cases are those of tests/badges/test_safe_mode.py: a genuine Data Integrity badge of ours
and one signed by ``@digitalbazaar/vc``, each untouched and with an undefined term added after
issuance (a top-level property, a ``type`` value, a property of the achievement, a proof
option). jsonld-signatures canonicalizes in safe mode and rejects the tampered ones with
"Safe mode validation error"; so must we
(https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly).
"""

from __future__ import annotations

import pytest

from badges import DictFetcher, JSONObject, verify
from tests.badges.test_safe_mode import ORIGINS, TAMPERINGS, tampered
from tests.interop import harness
from tests.support import FIXED_NOW

CASES: dict[str, tuple[JSONObject, bool]] = {
    **{f"{origin}-untouched": (ORIGINS[origin](), True) for origin in ORIGINS},
    **{
        f"{origin}-{name}": (tampered(origin, name), False)
        for origin in ORIGINS
        for name in TAMPERINGS
    },
}


@pytest.fixture(scope="module")
def oracle_verdicts(oracle: None) -> dict[str, JSONObject]:
    requests = [harness.di_request(credential, now=FIXED_NOW) for credential, _ in CASES.values()]
    return dict(zip(CASES, harness.verify_di_many(requests), strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_both_verifiers_reach_the_same_verdict(
    name: str, oracle_verdicts: dict[str, JSONObject]
) -> None:
    credential, verified = CASES[name]
    verdict = oracle_verdicts[name]
    assert verdict["verified"] is verified, verdict["errors"]
    report = verify(credential, fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.ok is verified, report.checks
    if not verified:
        assert "jsonld.ValidationError: Safe mode validation error." in verdict["errors"]
        signature = report.check("proof.signature")
        assert signature is not None
        assert signature.status == "failed"
