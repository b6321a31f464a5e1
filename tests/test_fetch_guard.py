"""Private, loopback and link-local addresses are refused unless allowed, also after redirects.

Name resolution goes through an injected resolver (DNS is the live internet); connections
are real, to the test site on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import quote, urlsplit

import pytest

from mediadigest.collect.fetch import Fetcher
from mediadigest.collect.guard import is_public
from mediadigest.errors import FetchError

PAGE = "/pages/steppe-wire/kazakhstan-wind.html"


def _resolver(table: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        return table.get(host, [])

    return resolve


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "::1",
     "fe80::1", "fc00::5", "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.1"],
)  # fmt: skip
def test_non_public_addresses_are_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2a00:1450:4001:80b::200e", "151.101.1.69"])
def test_public_addresses_are_public(address):
    assert is_public(address)


# IPv6 addresses that carry an IPv4 address (F5 of the security walk): Python calls most of
# them global whatever they carry, and a connection to one reaches that IPv4 address.
@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible
        "::10.0.0.5",
        "::ffff:0:127.0.0.1",  # IPv4-translated (SIIT)
        "64:ff9b::a00:5",  # NAT64 well-known prefix: 10.0.0.5
        "64:ff9b::7f00:1",  # 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # 169.254.169.254, the cloud metadata service
        "64:ff9b::e000:1",  # 224.0.0.1, multicast
        "2002:a00:5::1",  # 6to4 through 10.0.0.5
        "2002:7f00:1::1",  # 6to4 through 127.0.0.1
    ],
)
def test_ipv6_carrying_a_private_ipv4_address_is_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["::8.8.8.8", "::ffff:0:8.8.8.8", "64:ff9b::808:808"])
def test_ipv6_spelling_of_a_public_ipv4_address_is_public(address):
    assert is_public(address)


def test_6to4_through_a_public_ipv4_address_is_judged_as_ipv6():
    # What is then left is the 6to4 block itself, which Python 3.12.4 and later call non-global
    # (IANA lists it "N/A") and older ones global: the guard takes that verdict as it is.
    assert is_public("2002:808:808::1") is ipaddress.ip_address("2002:808:808::1").is_global


@pytest.mark.parametrize(
    "address",
    [
        "2001:0:808:808:0:0:f5ff:fffe",  # Teredo: public server, client 10.0.0.1 (inverted)
        "2001:0:a00:5:0:0:f7f7:f7f7",  # private server 10.0.0.5, public client 8.8.8.8
        "2001:0:808:808:0:0:f7f7:f7f7",  # both public: 2001::/32 is not globally routable
    ],
)
def test_teredo_addresses_are_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize(
    "address", ["64:ff9b:1::a00:5", "64:ff9b:1::808:808", "64:ff9b:1:808:800::"]
)
def test_nat64_local_use_prefix_is_never_public(address):
    # Each network places the IPv4 address where it likes within 64:ff9b:1::/48.
    assert not is_public(address)


def test_a_name_resolving_to_nat64_of_the_metadata_service_is_refused():
    resolver = _resolver({"metadata.test": ["64:ff9b::a9fe:a9fe"]})
    with Fetcher(delay=0, resolver=resolver) as f, pytest.raises(FetchError) as info:
        f.get("http://metadata.test/latest/meta-data/")
    assert "private address metadata.test (64:ff9b::a9fe:a9fe)" in info.value.reason


def test_loopback_is_refused_by_default(site):
    path = f"{PAGE}?guard=default"
    with Fetcher(delay=0) as f, pytest.raises(FetchError, match=r"private address 127\.0\.0\.1"):
        f.get(site.url(path))
    assert site.fetched(path) == 0


def test_refusal_says_how_to_allow_it(site):
    with Fetcher(delay=0) as f, pytest.raises(FetchError, match="--allow-private"):
        f.get(site.url(PAGE))


def test_a_name_resolving_to_a_private_address_is_refused():
    resolver = _resolver({"metadata.test": ["169.254.169.254"]})
    with Fetcher(delay=0, resolver=resolver) as f, pytest.raises(FetchError) as info:
        f.get("http://metadata.test/latest/meta-data/")
    assert "metadata.test (169.254.169.254)" in info.value.reason


def test_one_private_address_among_public_ones_refuses_the_name():
    resolver = _resolver({"mixed.test": ["93.184.216.34", "10.0.0.8"]})
    with Fetcher(delay=0, resolver=resolver) as f, pytest.raises(FetchError, match=r"10\.0\.0\.8"):
        f.get("http://mixed.test/")


def test_allow_private_reaches_the_local_site(site):
    with Fetcher(delay=0, allow_private=True) as f:
        assert f.get(site.url(PAGE)).status == 200


def test_redirect_to_a_private_address_is_refused(site):
    # The first hop is allowed (its address is on the allow-list), the redirect target is not.
    target = "http://10.9.8.7/admin"
    url = site.url(f"/redirect-to?url={quote(target)}")
    with (
        Fetcher(delay=0, allowed_networks=("127.0.0.1/32",)) as f,
        pytest.raises(FetchError, match=r"private address 10\.9\.8\.7") as info,
    ):
        f.get(url)
    assert info.value.source == url


def test_redirect_to_a_name_resolving_to_loopback_is_refused(site):
    port = urlsplit(site.base).port
    target = f"http://intranet.test:{port}{PAGE}"
    url = site.url(f"/redirect-to?url={quote(target)}")
    resolver = _resolver({"intranet.test": ["127.0.0.2"]})
    with (
        Fetcher(delay=0, allowed_networks=("127.0.0.1/32",), resolver=resolver) as f,
        pytest.raises(FetchError, match=r"intranet\.test \(127\.0\.0\.2\)"),
    ):
        f.get(url)


def test_allowed_network_lets_an_intranet_host_through(site):
    port = urlsplit(site.base).port
    resolver = _resolver({"intranet.test": ["127.0.0.1"]})
    with Fetcher(delay=0, allowed_networks=("127.0.0.0/8",), resolver=resolver) as f:
        assert f.get(f"http://intranet.test:{port}{PAGE}").status == 200


def test_a_name_the_system_cannot_resolve_is_a_fetch_error_naming_it():
    # getaddrinfo raises gaierror (an OSError), which used to escape the fetcher untranslated.
    async def offline(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with Fetcher(delay=0, resolver=offline, retries=0) as f, pytest.raises(FetchError) as info:
        f.get("https://news.example/feed.xml")
    assert info.value.source == "https://news.example/feed.xml"
    assert "cannot resolve news.example: Name or service not known" in info.value.reason


def test_unresolvable_name_is_a_fetch_error():
    with Fetcher(delay=0, resolver=_resolver({}), retries=0) as f, pytest.raises(FetchError):
        f.get("http://nowhere.test/")
