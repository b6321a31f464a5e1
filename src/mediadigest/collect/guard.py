"""Collect stage, network guard: refuse private, loopback and link-local addresses at connect time.

The check sits in the connection layer (an httpcore network backend), not in front of the
request: every connection, the first and each redirect's, is checked against the addresses
the name resolved to, and the socket then connects to exactly the address that was checked.
A hostile DNS server cannot answer "public" to the check and "127.0.0.1" to the connect.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

import anyio
import httpcore

# Resolves a host name to IP address strings; tests inject one (DNS is the live internet).
Resolver = Callable[[str, int], Awaitable[list[str]]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class PrivateAddressError(Exception):
    """A host resolved to an address we may not connect to (translated to FetchError)."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        where = host if host == address else f"{host} ({address})"
        super().__init__(
            f"refusing to connect to private address {where} "
            "(use --allow-private or MEDIADIGEST_ALLOW_PRIVATE=1 to allow it)"
        )


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), run off the event loop."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """True for globally routable unicast addresses; IPv4-mapped IPv6 is judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """Parse CIDR strings ("10.0.0.0/8", "127.0.0.1") into networks."""
    return tuple(ipaddress.ip_network(s, strict=False) for s in specs)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check every address, then connect to a checked address (never re-resolve)."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allowed: Sequence[Network] = (),
        resolver: Resolver | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.allowed = tuple(allowed)
        self.resolver = resolver or system_resolver
        self.inner = httpcore.AnyIOBackend()

    def permitted(self, address: str) -> bool:
        if self.allow_private or is_public(address):
            return True
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return any(ip in net for net in self.allowed)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        host = host.strip("[]")
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                with anyio.fail_after(timeout):
                    addresses = await self.resolver(host, port)
            except OSError as exc:  # getaddrinfo's gaierror: httpx knows only its own errors
                reason = exc.strerror or str(exc) or type(exc).__name__
                raise httpcore.ConnectError(f"cannot resolve {host}: {reason}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} did not resolve to any address")
        # Any refused address refuses the host: round-robin DNS could hand out the bad one later.
        for address in addresses:
            if not self.permitted(address):
                raise PrivateAddressError(host, address)
        return await self.inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - never configured
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
