"""Cold start: concurrent first calls in a fresh process build the shared caches once.

Right after a (re)start, the first requests arrive together. Each one here runs in a new
Python process, so the JSON Schema validators and the JSON-LD contexts are not loaded yet:
several threads released at once verify a credential and build (schema-check) another, and
every one must get the right answer. Before the schema cache was built under a lock, two
threads could build it twice and one would look up a validator of the other's build
(``KeyError``): a valid badge reported "not a badge", an issuance failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.interop import samples

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8
PROCESSES = 3

# Runs in the fresh process: the credential arrives on stdin, the outcomes leave on stdout.
_FIRST_REQUESTS = """
import json, sys, threading
from datetime import UTC, datetime, timedelta

from badges import DictFetcher, verify
from badges.ob3.builder import build_credential
from badges.ob3.models import Achievement, Profile

credential = json.load(sys.stdin)
now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
threads = int(sys.argv[1])
barrier = threading.Barrier(threads)
outcomes = [None] * threads


def verifying(slot):
    barrier.wait()
    report = verify(credential, fetcher=DictFetcher(), now=now)
    outcomes[slot] = {c.id: c.status for c in report.checks}


def issuing(slot):
    barrier.wait()
    built = build_credential(
        credential_id=f"urn:uuid:00000000-0000-4000-8000-{slot:012d}",
        issuer=Profile.from_wire(credential["issuer"]),
        achievement=Achievement.from_wire(credential["credentialSubject"]["achievement"]),
        recipient_email="passer@example.jp",
        valid_from=now - timedelta(days=1),
    )
    outcomes[slot] = {"built": built["id"]}


def run(slot):
    try:
        (issuing if slot % 2 else verifying)(slot)
    except Exception as error:
        outcomes[slot] = {"error": f"{type(error).__name__}: {error}"}


workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
json.dump(outcomes, sys.stdout)
"""


@pytest.mark.parametrize("attempt", range(PROCESSES))
def test_concurrent_first_requests_in_a_fresh_process_all_succeed(attempt: int) -> None:
    credential = samples.signed(samples.did_key_signer(samples.ED_KEY))
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", _FIRST_REQUESTS, str(THREADS)],
        input=json.dumps(credential),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcomes = json.loads(done.stdout)
    verified = [o for slot, o in enumerate(outcomes) if slot % 2 == 0]
    built = [o for slot, o in enumerate(outcomes) if slot % 2 == 1]
    assert all("error" not in o for o in outcomes), outcomes
    assert all(o.get("proof.signature") == "passed" for o in verified), verified
    assert all(o == verified[0] for o in verified), verified
    assert [o["built"] for o in built] == [
        f"urn:uuid:00000000-0000-4000-8000-{slot:012d}" for slot in range(1, THREADS, 2)
    ]
