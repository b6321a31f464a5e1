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


# IPv6 spellings of an IPv4 destination: a connection to one reaches the IPv4 address in its
# low 32 bits (through the kernel, a SIIT or a NAT64 translator), so that address is what is
# judged. Python calls most of these global: 64:ff9b::a9fe:a9fe is 169.254.169.254 through
# any NAT64 gateway. IPv4-mapped (::ffff:0:0/96) is ipaddress' own ``ipv4_mapped``.
_IPV4_SPELLINGS = tuple(
    ipaddress.IPv6Network(net)
    for net in (
        "::/96",  # IPv4-compatible, ::a.b.c.d (deprecated, RFC 4291)
        "::ffff:0:0:0/96",  # IPv4-translated, ::ffff:0:a.b.c.d (SIIT, RFC 2765)
        "64:ff9b::/96",  # NAT64's well-known prefix (RFC 6052)
    )
)
# NAT64's local-use prefix (RFC 8215): each network picks where in it the IPv4 address sits
# (after a /48, /56, /64 or /96), so no one reading of it is the destination; it is a local
# network's by definition (Python 3.12.4 and later call it non-global too).
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def is_public(address: str) -> bool:
    """True for globally routable unicast addresses.

    An IPv6 address that carries an IPv4 one is judged by it: IPv4-mapped, IPv4-compatible,
    IPv4-translated and NAT64 (64:ff9b::/96) addresses as that IPv4 address; 6to4 (2002::/16)
    and Teredo (2001::/32, its server and its client) only where every IPv4 address in them
    is public too. NAT64's local-use 64:ff9b:1::/48 is never public.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in net for net in _IPV4_SPELLINGS):
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif (ends := _tunnel_ends(ip)) and not all(map(is_public, ends)):
            return False
    return ip.is_global and not ip.is_multicast


def _tunnel_ends(ip: ipaddress.IPv6Address) -> tuple[str, ...]:
    """The IPv4 addresses a 6to4 or Teredo address sends its packets to: a host with such a
    tunnel (or a relay on the local network) delivers them over IPv4, to a private address
    as readily as to a public one."""
    if ip.sixtofour is not None:
        return (str(ip.sixtofour),)
    if ip.teredo is not None:  # (server, client); ipaddress undoes the client's inversion
        return tuple(str(end) for end in ip.teredo)
    return ()


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
