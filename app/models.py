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
from app.obapi.models import HostedCredential, OAuthClient, OAuthCode, OAuthGrant, OAuthToken
from app.oid4vci.models import Oid4vciGrant, Oid4vciNonce
from app.passers.models import PasserAccount, PasserAddress, PasserSession, PasserSignIn
from app.status.models import StatusList
from app.wallets.models import WalletDelivery, WalletOffer
from app.webhooks.models import Watch, WatchedCredential, WebhookEvent

__all__ = [
    "Achievement",
    "ApiKey",
    "AuditEntry",
    "Batch",
    "BatchRow",
    "Claim",
    "ClaimReminder",
    "ConsoleSession",
    "HostedCredential",
    "IssuedCredential",
    "Issuer",
    "IssuerKey",
    "OAuthClient",
    "OAuthCode",
    "OAuthGrant",
    "OAuthToken",
    "Oid4vciGrant",
    "Oid4vciNonce",
    "OutboxMessage",
    "PasserAccount",
    "PasserAddress",
    "PasserSession",
    "PasserSignIn",
    "StatusList",
    "WalletDelivery",
    "WalletOffer",
    "Watch",
    "WatchedCredential",
    "WebhookEvent",
]
