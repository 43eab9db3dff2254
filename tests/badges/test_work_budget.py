"""The JSON-LD work budget: a credential built to exhaust the CPU is refused before processing.

A 177 KB credential with 9,000 ``evidence`` entries cost 39 s of CPU to verify: building the
node map compares every value of a property with each value added before it. The budget
(``VerifierConfig.jsonld_budget``) estimates that work from the JSON alone, so such a document
is answered at once with a clear ``document.jsonld`` failure, while credentials of realistic
size still verify. Speed is measured with ``shomei bench``, not here: these tests show that
JSON-LD processing never starts for a document over the budget.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from badges import DictFetcher, JSONObject, VerifierConfig, WorkBudget, _jsonld, verify
from badges._jsonld import BudgetExceededError, check_budget
from badges.data_integrity import sign, unsecured
from tests.interop import samples
from tests.support import FIXED_NOW

SIGNER = samples.did_key_signer(samples.ED_KEY)
GENUINE = samples.signed(SIGNER)  # signed before any test turns expansion off


def _statuses(report: Any) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


@pytest.fixture
def no_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if PyLD's expansion is reached at all."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("JSON-LD expansion ran for a document over the budget")

    monkeypatch.setattr(_jsonld._Processor, "expand", refuse)


def _with_evidence(count: int) -> JSONObject:
    """The reported attack: ``{"type": "Evidence"}`` entries, 20 bytes each, under every other
    limit (9,000 make 18,000 values of the 20,000 allowed and 180 KB)."""
    credential = copy.deepcopy(GENUINE)
    credential["evidence"] = [{"type": "Evidence"} for _ in range(count)]
    return credential


def test_nine_thousand_evidence_entries_fail_document_jsonld_before_processing(
    no_expansion: None,
) -> None:
    credential = _with_evidence(9_000)
    check_budget(credential, WorkBudget(max_steps=10**9))  # no other limit catches it
    report = verify(credential, fetcher=DictFetcher(), now=FIXED_NOW)
    statuses = _statuses(report)
    assert report.ok is False
    assert statuses["document.jsonld"] == "failed"
    assert statuses["proof.signature"] == "skipped"
    check = report.check("document.jsonld")
    assert check is not None
    assert "too much work" in check.message
    assert "1000000 steps" in check.message


def test_a_large_real_credential_still_verifies() -> None:
    """600 distinct evidence entries and 300 results: far beyond any published example."""
    unsigned = unsecured(copy.deepcopy(GENUINE))
    unsigned["evidence"] = [
        {
            "id": f"https://badges.example.jp/evidence/{number}",
            "type": ["Evidence"],
            "name": f"実技課題 {number}",
            "narrative": "提出物と評価者のコメント。",
        }
        for number in range(600)
    ]
    unsigned["credentialSubject"]["result"] = [
        {"type": ["Result"], "value": str(number % 5)} for number in range(300)
    ]
    credential = sign(unsigned, SIGNER, created=FIXED_NOW)
    report = verify(credential, fetcher=DictFetcher(), now=FIXED_NOW)
    assert _statuses(report)["document.jsonld"] == "passed"
    assert report.ok is True, report.checks


def test_the_budget_is_a_verifier_setting() -> None:
    credential = copy.deepcopy(GENUINE)
    tight = VerifierConfig(jsonld_budget=WorkBudget(max_steps=20))
    report = verify(credential, fetcher=DictFetcher(), now=FIXED_NOW, config=tight)
    check = report.check("document.jsonld")
    assert check is not None
    assert check.status == "failed"
    assert "20 steps" in check.message
    assert verify(credential, fetcher=DictFetcher(), now=FIXED_NOW).ok is True


@pytest.mark.parametrize(
    ("budget", "document", "message"),
    [
        (WorkBudget(max_depth=3), {"a": {"b": {"c": {"d": {}}}}}, "nested more than 3"),
        (WorkBudget(max_nodes=3), {"a": [{}, {}, {}]}, "more than 3 objects"),
        (WorkBudget(max_values=5), {"a": [1, 2, 3, 4, 5]}, "more than 5 values"),
        (WorkBudget(max_steps=50), {"a": list(range(10))}, "more than 50 steps"),
    ],
)
def test_each_limit_names_itself(budget: WorkBudget, document: Any, message: str) -> None:
    with pytest.raises(BudgetExceededError, match=message):
        check_budget(document, budget)


def test_objects_sharing_an_id_count_as_one_node() -> None:
    """Node-map merging: 100 arrays of 100 copies of one node is one property with 10,000."""
    same = {"p": [[{"id": "urn:x:1", "name": str(n)} for n in range(100)] for _ in range(100)]}
    with pytest.raises(BudgetExceededError):
        check_budget(same)
    distinct = {
        "p": [[{"id": f"urn:x:{a}-{b}", "name": "n"} for b in range(100)] for a in range(40)]
    }
    check_budget(distinct)


def test_the_published_examples_are_far_under_the_budget() -> None:
    from tests.support import VECTORS, load_json

    for path in sorted((VECTORS / "ob3-1edtech-validator").glob("*.json")):
        check_budget(load_json(f"ob3-1edtech-validator/{path.name}"), WorkBudget(max_steps=5_000))
