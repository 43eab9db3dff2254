"""Imports every table module, so that ``Base.metadata`` knows the whole schema."""

from app.achievements.models import Achievement
from app.apikeys.models import ApiKey
from app.audit.models import AuditEntry
from app.batches.models import Batch, BatchRow
from app.claims.models import Claim, ClaimReminder
from app.console.models import ConsoleSession
from app.credentials.models import IssuedCredential
from app.issuers.models import Issuer, IssuerKey
from app.mail.models import OutboxMessage
from app.oid4vci.models import Oid4vciGrant, Oid4vciNonce
from app.status.models import StatusList
from app.wallets.models import WalletDelivery, WalletOffer

__all__ = [
    "Achievement",
    "ApiKey",
    "AuditEntry",
    "Batch",
    "BatchRow",
    "Claim",
    "ClaimReminder",
    "ConsoleSession",
    "IssuedCredential",
    "Issuer",
    "IssuerKey",
    "Oid4vciGrant",
    "Oid4vciNonce",
    "OutboxMessage",
    "StatusList",
    "WalletDelivery",
    "WalletOffer",
]
