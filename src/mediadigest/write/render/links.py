"""A source's web address as every rendered digest links it: one valid URI (RFC 3986).

Stored addresses are as the pages gave them: one may hold a space, ``"``, ``<`` or ``>``
(``…/kz"onmouseover="alert(1)``), or letters beyond ASCII. Markdown escaped some of these, the
HTML only for its attribute, DOCX not at all (its relationship target held a raw ``<``): one
digest linked one page three ways. Every renderer now links ``web_link(url)``; the JSON keeps
the stored address (it is data, as ``articles --json`` gives it).

A digest is a publication (a no-sign-in page, mails, the Atom feed): its links leave out a paid
feed's ``user:password@`` and every secret-named query parameter (``?api_key=…``), whole, not
as ``***``: the page should still open where the key is not needed.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

# What RFC 3986 allows as it is in a path (pchar and "/"), and in a query or fragment (also
# "?"); "%" is kept so that an address already percent-encoded is not encoded twice.
_PATH_SAFE = "/!$&'()*+,;=:@%-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")  # "100%" is not an escape: "100%25"


def web_link(url: str) -> str:
    """``url`` as a valid URI: what RFC 3986 does not allow in its path, query and fragment
    (a space, ``"``, ``<``, ``>``, `````, ``{``, ``}``, ``|``, ``\\``, ``^``, a letter beyond
    ASCII) percent-encoded as UTF-8, existing ``%XX`` kept as they are; a host in letters
    beyond ASCII (an IDN) written in punycode (``xn--…``), as a URI's host must be. The
    userinfo and the secret-named query parameters (``api_key``, ``token``: `_secret`) are left
    out: a link a digest publishes gives away no credential."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # an unclosed IPv6 bracket: encode what is not allowed, whole
        return _encoded(url.strip(), _QUERY_SAFE + "#[]")
    return urlunsplit(
        (
            parts.scheme,
            _netloc(parts.netloc),
            _encoded(parts.path, _PATH_SAFE),
            _encoded(_public_query(parts.query), _QUERY_SAFE),
            _encoded(parts.fragment, _QUERY_SAFE),
        )
    )


# The words of a parameter's name that say it holds a credential. Whole words of the name, not
# `logs.secret_name`'s substrings, which redact a log generously but would drop a published
# link's ``author``, ``keyword`` or ``design`` and break it.
_SECRET_WORDS = frozenset(
    [
        "key",
        "apikey",
        "token",
        "accesstoken",
        "apitoken",
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "sig",
        "signature",
        "auth",
        "authorization",
        "credential",
        "credentials",
    ]
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _secret(name: str) -> bool:
    """Whether a query parameter called ``name`` (read decoded: ``api%2Dkey``) holds a
    credential, by its words: ``api_key``, ``apiKey``, ``X-Amz-Signature``, ``access_token``."""
    decoded = unquote_plus(name)
    words = [w.lower() for w in _NAME_WORDS.findall(decoded)]
    joined = "".join(words)
    return joined in _SECRET_WORDS or any(w in _SECRET_WORDS for w in words)


def _public_query(query: str) -> str:
    """``query`` without its secret-named parameters, the others as they were, in order."""
    return "&".join(p for p in query.split("&") if not _secret(p.partition("=")[0]))


def _encoded(part: str, safe: str) -> str:
    # A lone surrogate has no UTF-8: "%3F" rather than an exception.
    return _LONE_PERCENT.sub("%25", quote(part, safe=safe, errors="replace"))


def _netloc(netloc: str) -> str:
    """The authority with its host in ASCII: punycode for an IDN (where the name is not one
    IDNA 2003 can write, percent-encoded as RFC 3986 allows a reg-name); the userinfo (a
    paid feed's ``user:password@``) left out."""
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):  # an IPv6 literal is ASCII already
        host, port = hostport, ""
    else:
        host, colon, port = hostport.partition(":")
        port = colon + port
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host, safe="", errors="replace")
    return host + port
