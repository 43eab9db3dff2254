"""The Open Badges API's scopes (https://www.imsglobal.org/spec/ob/v3p0/#api-scopes)."""

from __future__ import annotations

PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READ = PREFIX + "credential.readonly"
CREDENTIAL_UPSERT = PREFIX + "credential.upsert"
PROFILE_READ = PREFIX + "profile.readonly"
PROFILE_UPDATE = PREFIX + "profile.update"
# RFC 6749 leaves refresh tokens to the server; the spec's examples ask for them with this.
OFFLINE = "offline_access"

API_SCOPES = (CREDENTIAL_READ, CREDENTIAL_UPSERT, PROFILE_READ, PROFILE_UPDATE)
SUPPORTED = (*API_SCOPES, OFFLINE)
DESCRIPTIONS = {
    CREDENTIAL_READ: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: (
        "Permission to create or update AchievementCredentials for the authenticated entity."
    ),
    PROFILE_READ: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}


def text_key(scope: str) -> str:
    """The key of a scope's words on the consent and account pages."""
    return "scope_" + scope.removeprefix(PREFIX)


def normalised(scope: str | None) -> list[str]:
    """The supported scopes of a space-separated ``scope``, each once, in a fixed order."""
    asked = set((scope or "").split())
    return [s for s in SUPPORTED if s in asked]
