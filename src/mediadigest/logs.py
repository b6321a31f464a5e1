"""What the log says of URLs: no password, key or token that a URL carries.

httpx logs each request's URL at INFO (``-v``): an LLM endpoint given as
``https://user:pass@host/v1?api-key=...`` or a private feed's ``?token=`` went to the
terminal and into whatever collects the logs.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = ["RedactURLs", "redact_url", "secret_name"]

# Query parameters whose value is a secret, in any URL this shows (a fetched one, the LLM
# endpoint, the store's): api-key, access_token, password, sslpassword, oauth_client_secret,
# sig... libpq's sslkey names a file, not a secret, and is left as it is.
_SECRET = re.compile(r"(?<!ssl)key|token|pass|pwd|secret|sig|auth|credential", re.IGNORECASE)


def secret_name(name: str) -> bool:
    """Whether a query parameter called ``name`` holds a secret. The name is read decoded, as
    the server or driver reads it: ``?api%2Dkey=`` and ``?pass%77ord=`` are keys too."""
    return bool(_SECRET.search(unquote_plus(name)))


def redact_url(url: str) -> str:
    """``url`` with its password and its secret-named query values as ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}" if ":" in user else f"***@{host}"
    query = "&".join(
        f"{name}=***" if eq and secret_name(name) else f"{name}{eq}{value}"
        for name, eq, value in (p.partition("=") for p in parts.query.split("&") if p)
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


class RedactURLs(logging.Filter):
    """Rewrites the URL arguments of a record (httpx passes ``request.url``) as `redact_url`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(str(a)) if type(a).__name__ == "URL" or _is_url(a) else a
                for a in record.args
            )
        return True


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))
