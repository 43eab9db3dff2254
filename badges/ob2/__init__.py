"""Open Badges 2.0: wire models, issuing (hosted and JWS-signed) and verification.

See :mod:`badges.ob2.models`, :mod:`badges.ob2.issuing` and :mod:`badges.ob2.verification`.
"""

from badges.ob2.issuing import (
    badge_class,
    cryptographic_key,
    hosted_assertion,
    issuer_profile,
    revocation_list,
    signed_assertion,
)
from badges.ob2.models import (
    OB2_CONTEXT,
    AlignmentObject,
    Assertion,
    BadgeClass,
    Criteria,
    CryptographicKey,
    Endorsement,
    Evidence,
    IdentityObject,
    Image,
    Profile,
    RevocationList,
    RevokedAssertion,
    VerificationObject,
)
from badges.ob2.verification import verify_ob2

__all__ = [
    "OB2_CONTEXT",
    "AlignmentObject",
    "Assertion",
    "BadgeClass",
    "Criteria",
    "CryptographicKey",
    "Endorsement",
    "Evidence",
    "IdentityObject",
    "Image",
    "Profile",
    "RevocationList",
    "RevokedAssertion",
    "VerificationObject",
    "badge_class",
    "cryptographic_key",
    "hosted_assertion",
    "issuer_profile",
    "revocation_list",
    "signed_assertion",
    "verify_ob2",
]
