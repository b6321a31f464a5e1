"""The one exception hierarchy of mediadigest; library errors are translated at stage boundaries.

MediadigestError
 ├── InputError          bad input: a feed, page, file or line we cannot use (names it)
 │    ├── FetchError     the network said no: timeout, refused, 4xx/5xx, too large
 │    │    └── RefusedError   the site will not give us this page: 4xx, robots.txt
 │    └── FormatError    the bytes are not what they claim: not XML, not JSON, unknown type
 ├── ProfileError        a country profile file is missing or invalid
 ├── StoreError          the database cannot be opened or migrated
 ├── WorkersLost         the workers running a run's tasks died or their cluster went away
 ├── MailError           the mail server did not take the digest (names the server)
 └── ConfigError         settings that cannot work together
"""

from __future__ import annotations


class MediadigestError(Exception):
    """Base of every error mediadigest raises on purpose."""


class InputError(MediadigestError):
    """One input (URL, file, line) cannot be used; the message names it and says why."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # Pickle with both arguments: results cross process boundaries (pools, Dask).
        return type(self), (self.source, self.reason)


class FetchError(InputError):
    """A network fetch failed (timeout, connection refused, HTTP error status, oversized body)."""


class RefusedError(FetchError):
    """The site answered, and will not give us the page: a 4xx status or robots.txt. Asking
    again changes nothing; a feed entry keeps its own text instead (see ``collect.poll``)."""


class FormatError(InputError):
    """Content is not in the expected format (not XML, not JSON, binary, unknown file type)."""


class ProfileError(MediadigestError):
    """A country profile cannot be found or does not validate."""


class StoreError(MediadigestError):
    """The store cannot be opened, migrated or written."""


class StoreDamaged(StoreError):
    """The store answered with an error that no retry mends (a table missing): no outage."""


class WorkersLost(MediadigestError):
    """The executor lost the workers running its tasks (killed, out of memory, the cluster
    gone): what was stored is whole, and the same run again resumes."""


class MailError(MediadigestError):
    """A digest could not be mailed: the server refused, failed or was not reached."""

    def __init__(self, server: str, reason: str) -> None:
        self.server = server
        self.reason = reason
        super().__init__(f"mail server {server}: {reason}")


class ConfigError(MediadigestError):
    """Settings are missing or contradict each other."""
