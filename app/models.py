"""Imports every table module, so that ``Base.metadata`` knows the whole schema."""

from app.achievements.models import Achievement
from app.apikeys.models import ApiKey
from app.issuers.models import Issuer, IssuerKey

__all__ = ["Achievement", "ApiKey", "Issuer", "IssuerKey"]
