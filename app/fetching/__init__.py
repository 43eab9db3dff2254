"""The one HTTP fetcher through which Shomei reaches documents on the web.

Badges name URLs we do not control (issuer profiles, DID documents, keys, status
lists), so every fetch is treated as hostile input (OWASP SSRF Prevention Cheat Sheet,
https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html):

1. only ``http`` and ``https`` URLs without credentials are fetched;
2. the host is resolved and refused if any address it resolves to is not a global
   unicast address, unless the operator's allow list names it;
3. the connection goes to exactly the addresses that were checked (see
   :class:`_GuardedBackend`), on the first request and on every redirect;
4. one overall deadline covers connect, headers and body, and bodies are capped.

Every failure is a ``badges.errors.FetchError`` (refused, unreachable, timed out,
too large, not JSON); when a server answered with a non-2xx status, ``status`` holds
it, so callers can treat 410 Gone as "revoked".
"""

from app.fetching.addresses import Resolver, system_resolver
from app.fetching.config import FetchConfig, FetchedDocument, fetch_config, parse_allow_list
from app.fetching.fetcher import SafeFetcher
from app.fetching.transport import GuardedTransport, make_client, overall_deadline

__all__ = [
    "FetchConfig",
    "FetchedDocument",
    "GuardedTransport",
    "Resolver",
    "SafeFetcher",
    "fetch_config",
    "make_client",
    "overall_deadline",
    "parse_allow_list",
    "system_resolver",
]
