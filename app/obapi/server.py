"""The OAuth 2.0 authorization server, built on authlib's grants and endpoints.

What the Open Badges API's security section asks
(https://www.imsglobal.org/spec/ob/v3p0/#api-security), over RFC 6749:

- clients register themselves (RFC 7591) with the spec's required fields, and authenticate
  with ``client_secret_basic`` only;
- the authorization code grant only, with PKCE (RFC 7636) required and ``S256`` only;
  a code lives ten minutes and works once: it is consumed by a conditional UPDATE when the
  token request names it, and naming it again revokes every token it gave (RFC 6749 §4.1.2);
- refresh tokens only for ``offline_access``, rotated on use; revocation (RFC 7009).

Every secret (client secret, code, access and refresh token) is stored as its SHA-256 hash.
One :class:`OAuthServer` is made per request, bound to that request's database session.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import quote, urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    ClientMixin,
    JsonPayload,
    JsonRequest,
    OAuth2Payload,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError, InvalidRedirectURIError
from authlib.oauth2.rfc7636 import CodeChallenge
from fastapi.responses import JSONResponse, Response
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app.obapi import scopes
from app.obapi.models import OAuthClient, OAuthCode, OAuthGrant, OAuthToken

CODE_SECONDS = 600  # the spec's recommended lifetime of a code
ACCESS_SECONDS = 3600  # "1EdTech recommends a default expiry lifetime of 3600 seconds"
# RFC 7591 fields the spec makes required (https://www.imsglobal.org/spec/ob/v3p0/#registration)
REQUIRED_METADATA = (
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "redirect_uris",
    "scope",
)
_URL_FIELDS = ("client_uri", "logo_uri", "tos_uri", "policy_uri")


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


@dataclass
class Incoming:
    """What the server reads of an HTTP request: read in full before a thread takes it."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: list[tuple[str, str]] = field(default_factory=list)
    form: list[tuple[str, str]] = field(default_factory=list)
    json: dict[str, Any] | None = None


class _Payload(OAuth2Payload):
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._data: dict[str, str] = {}
        self._list: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._data.setdefault(key, value)
            self._list[key].append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._list


class _Request(OAuth2Request):
    def __init__(self, incoming: Incoming) -> None:
        super().__init__(incoming.method, incoming.url, headers=incoming.headers)
        self._incoming = incoming
        self.payload = _Payload(incoming.query if incoming.method == "GET" else incoming.form)

    @property
    def args(self) -> dict[str, str]:
        return dict(self._incoming.query)

    @property
    def form(self) -> dict[str, str]:
        return _Payload(self._incoming.form).data


class _JsonPayload(JsonPayload):
    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @property
    def data(self) -> dict[str, Any]:
        return self._data


class _JsonRequest(JsonRequest):
    def __init__(self, incoming: Incoming) -> None:
        super().__init__(incoming.method, incoming.url, incoming.headers)
        self.payload = _JsonPayload(incoming.json or {})


class Client(ClientMixin):
    """A registered client as authlib sees it."""

    def __init__(self, row: OAuthClient) -> None:
        self.row = row
        self.metadata: dict[str, Any] = json.loads(row.client_metadata)

    @property
    def name(self) -> str:
        return str(self.metadata.get("client_name", ""))

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # the spec requires redirect_uri in every authorization request

    def get_allowed_scope(self, scope: str | None) -> str | None:
        registered = set(str(self.metadata.get("scope", "")).split())
        allowed = [s for s in scopes.normalised(scope) if s in registered]
        return " ".join(allowed) if any(s in scopes.API_SCOPES for s in allowed) else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.metadata.get("redirect_uris", [])

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(digest(client_secret), self.row.client_secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.metadata.get("grant_types", ["authorization_code"])


class Code:
    """A stored authorization code as authlib sees it."""

    def __init__(self, row: OAuthCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


class Token:
    """A stored token (its refresh token above all) as authlib sees it."""

    def __init__(self, row: OAuthToken, now: datetime) -> None:
        self.row = row
        self.now = now

    def check_client(self, client: Client) -> bool:
        return self.row.client_id == client.row.id

    def get_scope(self) -> str:
        return self.row.scope

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None

    def is_expired(self) -> bool:
        return self.row.expires_at <= self.now


@dataclass(frozen=True)
class Passer:
    """The resource owner: a passer's account."""

    account_id: uuid.UUID


class _S256Only(CodeChallenge):
    """PKCE is required and ``S256`` is its only method
    (https://www.imsglobal.org/spec/ob/v3p0/#authorization-request)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - authlib's class attribute
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256")
        super().validate_code_challenge(grant, redirect_uri)


def _state_required(grant: Any) -> None:
    """The spec makes ``state`` required, against cross-site request forgery
    (https://www.imsglobal.org/spec/ob/v3p0/#authorization-request)."""

    def check(grant: Any, redirect_uri: str) -> None:
        if not grant.request.payload.data.get("state"):
            raise InvalidRequestError("Missing 'state'")

    grant.register_hook("after_validate_authorization_request_payload", check)


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012

    @property
    def oauth(self) -> OAuthServer:
        return cast(OAuthServer, self.server)

    def create_authorization_response(self, redirect_uri: str, grant_user: Any) -> Any:
        status, body, headers = super().create_authorization_response(redirect_uri, grant_user)
        # The spec makes ``scope`` required in the redirect (RFC 6749 makes it optional).
        location = add_params_to_uri(dict(headers)["Location"], [("scope", self.request.scope)])
        return status, body, [("Location", location)]

    def save_authorization_code(self, code: str, request: Any) -> None:
        server = self.oauth
        data = request.payload.data
        server.db.add(
            OAuthCode(
                code_hash=digest(code),
                client_id=request.client.row.id,
                account_id=request.user.account_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                code_challenge=data["code_challenge"],
                code_challenge_method=data["code_challenge_method"],
                created_at=server.now,
                expires_at=server.now + timedelta(seconds=CODE_SECONDS),
            )
        )
        server.db.commit()

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        """The code, consumed now; a code used before revokes the tokens it gave."""
        server = self.oauth
        row = server.db.scalar(select(OAuthCode).where(OAuthCode.code_hash == digest(code)))
        if row is None or row.client_id != client.row.id:
            return None
        consumed = server.db.execute(
            update(OAuthCode)
            .where(OAuthCode.id == row.id, OAuthCode.used_at.is_(None))
            .values(used_at=server.now)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], consumed).rowcount != 1:
            server.db.execute(
                update(OAuthToken)
                .where(OAuthToken.code_id == row.id, OAuthToken.revoked_at.is_(None))
                .values(revoked_at=server.now)
                .execution_options(synchronize_session=False)
            )
            server.db.commit()
            return None
        server.db.commit()
        if row.expires_at <= server.now:
            return None
        server.code_id = row.id
        return Code(row)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Nothing to do: the code was consumed when it was read."""

    def authenticate_user(self, authorization_code: Code) -> Passer:
        return Passer(authorization_code.row.account_id)


class _RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotated: the old one is revoked below

    @property
    def oauth(self) -> OAuthServer:
        return cast(OAuthServer, self.server)

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        server = self.oauth
        row = server.db.scalar(
            select(OAuthToken).where(OAuthToken.refresh_token_hash == digest(refresh_token))
        )
        if row is None or row.revoked_at is not None:
            return None
        server.code_id = row.code_id  # so a replayed code revokes refreshed tokens too
        return Token(row, server.now)

    def authenticate_user(self, refresh_token: Token) -> Passer:
        return Passer(refresh_token.row.account_id)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        server = self.oauth
        server.db.execute(
            update(OAuthToken)
            .where(OAuthToken.id == refresh_token.row.id)
            .values(revoked_at=server.now)
            .execution_options(synchronize_session=False)
        )
        server.db.commit()


class _Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        server = cast(OAuthServer, self.server)
        hashed = digest(token_string)
        both = (OAuthToken.access_token_hash, OAuthToken.refresh_token_hash)
        columns = {"access_token": both[:1], "refresh_token": both[1:]}.get(
            token_type_hint or "", both
        )
        for column in columns:
            row = server.db.scalar(select(OAuthToken).where(column == hashed))
            if row is not None:
                return Token(row, server.now)
        return None

    def revoke_token(self, token: Token, request: Any) -> None:
        server = cast(OAuthServer, self.server)
        server.db.execute(
            update(OAuthToken)
            .where(OAuthToken.id == token.row.id, OAuthToken.revoked_at.is_(None))
            .values(revoked_at=server.now)
            .execution_options(synchronize_session=False)
        )
        server.db.commit()


def _loopback(host: str | None) -> bool:
    return host in ("127.0.0.1", "::1", "localhost")


class _Registration(ClientRegistrationEndpoint):
    """RFC 7591 registration with the spec's rules: no initial access token; the required
    fields; every URL HTTPS (or loopback HTTP, RFC 8252 §7.3) on one host name."""

    def authenticate_token(self, request: Any) -> bool:
        return True  # "The registration request MUST NOT require an Initial Access Token."

    def get_server_metadata(self) -> dict[str, Any]:
        return {
            "scopes_supported": list(scopes.SUPPORTED),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def extract_client_metadata(self, request: Any) -> dict[str, Any]:
        data = request.payload.data
        missing = [name for name in REQUIRED_METADATA if not data.get(name)]
        if missing:
            raise InvalidClientMetadataError(f"missing required fields: {', '.join(missing)}")
        for name in (*_URL_FIELDS, "software_id", "software_version", "client_name", "scope"):
            if not isinstance(data[name], str) or len(data[name]) > 2000:
                raise InvalidClientMetadataError(f"'{name}' must be a string")
        uris = data["redirect_uris"]
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise InvalidRedirectURIError("'redirect_uris' must be an array of URLs")
        if len(uris) > 10:
            raise InvalidRedirectURIError("at most 10 redirect URIs")
        hosts = set()
        for name, url in [(n, data[n]) for n in _URL_FIELDS] + [("redirect_uris", u) for u in uris]:
            try:
                parts = urlsplit(url)
            except ValueError:
                parts = urlsplit("")
            secure = parts.scheme == "https" or (
                parts.scheme == "http" and _loopback(parts.hostname)
            )
            if not secure or not parts.hostname or parts.fragment:
                error = InvalidRedirectURIError if name == "redirect_uris" else None
                # Quoted: an error_description is printable ASCII but for the quote and backslash
                # (RFC 6749, https://www.rfc-editor.org/rfc/rfc6749#section-5.2).
                shown = quote(url[:200], safe="!#$%&'()*+,-./:;<=>?@[]^_`{|}~")
                message = f"'{name}' must be an absolute HTTPS URL: {shown}"
                raise (error or InvalidClientMetadataError)(message)
            hosts.add(parts.hostname)
        if len(hosts) > 1:
            raise InvalidClientMetadataError("all URLs must have the same host name")
        granted = [s for s in scopes.normalised(data["scope"])]
        if not any(s in scopes.API_SCOPES for s in granted):
            raise InvalidClientMetadataError("'scope' names none of the API's scopes")
        metadata: dict[str, Any] = super().extract_client_metadata(request)
        metadata["scope"] = " ".join(granted)
        metadata.setdefault("token_endpoint_auth_method", "client_secret_basic")
        metadata.setdefault("grant_types", ["authorization_code"])
        metadata.setdefault("response_types", ["code"])
        return metadata

    def generate_client_secret(self, request: Any) -> str:
        return secrets.token_urlsafe(32)

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any
    ) -> OAuthClient:
        server = cast(OAuthServer, self.server)
        row = OAuthClient(
            client_id=client_info["client_id"],
            client_secret_hash=digest(client_info["client_secret"]),
            issued_at=server.now,
            client_metadata=json.dumps(client_metadata, ensure_ascii=False),
        )
        server.db.add(row)
        server.db.commit()
        return row


class OAuthServer(AuthorizationServer):
    """authlib's authorization server for one request, on that request's session."""

    def __init__(self, db: Session, now: datetime) -> None:
        super().__init__(scopes_supported=list(scopes.SUPPORTED))
        self.db = db
        self.now = now
        self.code_id: uuid.UUID | None = None  # the code a token is being drawn with
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                lambda *args, **kwargs: secrets.token_urlsafe(32),
                lambda *args, **kwargs: secrets.token_urlsafe(32),
                lambda client, grant_type: ACCESS_SECONDS,
            ),
        )
        self.register_grant(_CodeGrant, [_S256Only(required=True), _state_required])
        self.register_grant(_RefreshGrant)
        self.register_endpoint(_Revocation)
        self.register_endpoint(_Registration)

    def query_client(self, client_id: str) -> Client | None:
        if not isinstance(client_id, str) or len(client_id) > 64:
            return None
        row = self.db.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        return Client(row) if row is not None else None

    def generate_token(
        self,
        grant_type: str,
        client: Client,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        # A refresh token only when the passer granted offline access.
        offline = scopes.OFFLINE in (scope or "").split()
        token: dict[str, Any] = super().generate_token(
            grant_type, client, user, scope, expires_in, include_refresh_token and offline
        )
        return token

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        refresh = token.get("refresh_token")
        self.db.add(
            OAuthToken(
                access_token_hash=digest(token["access_token"]),
                refresh_token_hash=digest(refresh) if refresh else None,
                client_id=request.client.row.id,
                account_id=request.user.account_id,
                code_id=self.code_id,
                scope=token.get("scope", ""),
                issued_at=self.now,
                expires_at=self.now + timedelta(seconds=int(token["expires_in"])),
            )
        )
        self.db.commit()

    def validate_requested_scope(self, scope: str | None) -> None:
        if not scope or not any(s in scopes.API_SCOPES for s in scope.split()):
            raise InvalidScopeError("'scope' must name at least one of the API's scopes")
        super().validate_requested_scope(scope)

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return request if isinstance(request, OAuth2Request) else _Request(request)

    def create_json_request(self, request: Any) -> JsonRequest:
        return _JsonRequest(request)

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        if isinstance(body, dict):
            response: Response = JSONResponse(body, status_code=status)
        else:
            response = Response(body or b"", status_code=status)
        for name, value in headers:
            response.headers[name] = value
        return response

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No listeners: revocations and sign-ins are written by the code above."""


def record_consent(
    db: Session, client: Client, account_id: uuid.UUID, scope: str, now: datetime
) -> None:
    """Remember that the passer allowed ``client`` (for the account page), widening an earlier
    consent to the union of scopes."""
    row = db.scalar(
        select(OAuthGrant).where(
            OAuthGrant.account_id == account_id, OAuthGrant.client_id == client.row.id
        )
    )
    if row is None:
        db.add(
            OAuthGrant(account_id=account_id, client_id=client.row.id, scope=scope, granted_at=now)
        )
    else:
        row.scope = " ".join(scopes.normalised(f"{row.scope} {scope}"))
        row.granted_at = now
    db.commit()
