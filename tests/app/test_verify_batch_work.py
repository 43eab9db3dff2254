"""A batch shares one JSON-LD work budget: items past it are answered at once as not checked.

30 items each just under a document's budget (1,400 ``evidence`` entries) cost 18 s of CPU
in one anonymous request; now the batch stops after SHOMEI_VERIFY_BATCH_WORK documents' worth.
"""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from badges import JSONObject
from tests.interop import samples

SIGNER = samples.did_key_signer(samples.ED_KEY)
GENUINE = samples.signed(SIGNER)


def _heavy() -> JSONObject:
    credential = copy.deepcopy(GENUINE)
    credential["evidence"] = [{"type": "Evidence"} for _ in range(1_400)]
    return credential


def _not_checked(check: dict[str, str]) -> bool:
    return check["status"] == "indeterminate" and "work budget" in check["message"]


def test_a_batch_of_heavy_items_stops_at_its_work_budget(client: TestClient) -> None:
    items = [{"credential": _heavy()} for _ in range(30)]
    response = client.post("/api/v1/verify/batch", json={"items": items})
    assert response.status_code == 200, response.text
    reports = response.json()["reports"]
    assert [r["index"] for r in reports] == list(range(30))
    undecided = [r for r in reports if any(_not_checked(c) for c in r["checks"])]
    assert len(undecided) >= 24  # 5 documents' worth by default, and the one that overran
    assert all(r["ok"] is False for r in undecided)
    assert not any(_not_checked(c) for r in reports[:5] for c in r["checks"])


def test_a_genuine_credential_after_nothing_heavy_still_verifies(client: TestClient) -> None:
    response = client.post(
        "/api/v1/verify/batch", json={"items": [{"credential": GENUINE}, {"credential": GENUINE}]}
    )
    assert response.status_code == 200, response.text
    for report in response.json()["reports"]:
        assert report["ok"] is True, report
        assert all(
            c["status"] != "indeterminate" or "work" not in c["message"] for c in report["checks"]
        )
