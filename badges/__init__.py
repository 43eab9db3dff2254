"""The Open Badges standards library: models, proofs, baking and verification.

No web framework, no database, no I/O of its own: documents come through a :class:`Fetcher`,
signatures through a :class:`Signer`, time as a ``now`` argument.

    verify(data, fetcher=…, now=…)      one entry point for every format → VerificationReport
    data_integrity.sign / vc_jwt.sign    OB 3.0 eddsa-rdfc-2022 proofs and VC-JWT
    ob3.build_credential                 unsigned OB 3.0 credentials, schema-checked
    ob2.hosted_assertion / signed_assertion   OB 2.0
    baking.bake / baking.unbake          PNG and SVG
"""

from badges import baking, data_integrity, ob2, ob3, presentations, status_list, vc_jwt
from badges._jsonld import SharedWork, WorkBudget
from badges.errors import (
    BadgesError,
    DataLossError,
    DocumentError,
    FetchError,
    PresentationError,
    SigningError,
    VerificationError,
)
from badges.identity import Recipient, hash_identity, identity_matches, new_salt
from badges.ports import DictFetcher, DocumentFetcher, Fetcher, JSONObject, NullFetcher, Signer
from badges.report import CHECK_IDS, Check, CheckId, Status, VerificationReport
from badges.resolution import ResolverConfig
from badges.verification import VerifierConfig, verify

__all__ = [
    "CHECK_IDS",
    "BadgesError",
    "Check",
    "CheckId",
    "DataLossError",
    "DictFetcher",
    "DocumentError",
    "DocumentFetcher",
    "FetchError",
    "Fetcher",
    "JSONObject",
    "NullFetcher",
    "PresentationError",
    "Recipient",
    "ResolverConfig",
    "SharedWork",
    "Signer",
    "SigningError",
    "Status",
    "VerificationError",
    "VerificationReport",
    "VerifierConfig",
    "WorkBudget",
    "baking",
    "data_integrity",
    "hash_identity",
    "identity_matches",
    "new_salt",
    "ob2",
    "ob3",
    "presentations",
    "status_list",
    "vc_jwt",
    "verify",
]
