"""Deleting what has expired: authorization codes, tokens, sign-in links, passer sessions,
and the wallet offers a claim page made that no wallet used (each view of the page makes
one per protocol, so they would pile up).

Run every hour by a periodic task; it removes only what expired (or was revoked, or used)
more than :data:`GRACE` ago, so that a request racing an expiry still finds its row and
the account page's recent history stays readable. A token row that carries a refresh token
is kept while the refresh token is unrevoked: its access token's expiry is not the end of
the grant. Deleting an expired code ends its replay check, which is harmless by then: the
access tokens it gave have expired (an hour), and refresh tokens are rotated on each use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, and_, delete, or_, select
from sqlalchemy.orm import Session

from app.jobs.base import WorkContext
from app.obapi.models import OAuthCode, OAuthToken
from app.oid4vci.models import Oid4vciGrant
from app.passers.models import PasserSession, PasserSignIn
from app.wallets.models import WalletOffer

CLEANUP: Final = "obapi.cleanup"
HOURLY: Final = "17 * * * *"
GRACE: Final = timedelta(days=1)


@dataclass(frozen=True)
class Deleted:
    codes: int
    tokens: int
    sign_ins: int
    sessions: int
    offers: int = 0


def _count(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


def delete_expired(db: Session, now: datetime) -> Deleted:
    """Delete what ended before ``now - GRACE``; how many rows of each kind went."""
    cutoff = now - GRACE
    tokens = db.execute(
        delete(OAuthToken).where(
            or_(
                OAuthToken.revoked_at < cutoff,
                and_(OAuthToken.refresh_token_hash.is_(None), OAuthToken.expires_at < cutoff),
            )
        )
    )
    codes = db.execute(delete(OAuthCode).where(OAuthCode.expires_at < cutoff))
    sign_ins = db.execute(delete(PasserSignIn).where(PasserSignIn.expires_at < cutoff))
    sessions = db.execute(delete(PasserSession).where(PasserSession.expires_at < cutoff))
    # A used offer stays: its delivery names it.
    unused = and_(WalletOffer.used_at.is_(None), WalletOffer.expires_at < cutoff)
    db.execute(
        delete(Oid4vciGrant).where(Oid4vciGrant.offer_id.in_(select(WalletOffer.id).where(unused)))
    )
    offers = db.execute(delete(WalletOffer).where(unused))
    db.commit()
    return Deleted(
        _count(codes), _count(tokens), _count(sign_ins), _count(sessions), _count(offers)
    )


def run(context: WorkContext) -> None:
    """The periodic task."""
    with context.sessions() as session:
        delete_expired(session, context.now())
