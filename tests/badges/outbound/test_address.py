"""Which addresses the tool may reach: public ones, or hosts an admin allowed."""

from __future__ import annotations

import ipaddress

import pytest

from badges.outbound.address import check_url, is_public
from badges.outbound.allowlist import allowed_hosts
from badges.outbound.errors import NotAWebAddress, OutboundUnreachable, PrivateAddress

NOTHING = frozenset[str]()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/openid-configuration",
        "http://127.0.0.2/",  # the whole loopback range, not just 127.0.0.1
        "http://localhost/openid-configuration",  # a name that resolves to the loopback
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://[fd00:ec2::254]/latest/meta-data/",  # AWS metadata over IPv6 (unique local)
        "https://10.1.2.3/mod/lti/openid-configuration.php",
        "https://192.168.1.10/",
        "https://172.16.0.5/",
        "http://[::1]:8000/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://100.100.100.200/",  # another cloud's metadata, in the shared range
        "http://0.0.0.0/",
        "http://224.0.0.1/",  # multicast
        "http://239.255.255.250:1900/",  # SSDP multicast, which Python calls global
        "http://[ff02::1]/",  # IPv6 multicast
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[::ffff:169.254.169.254]/",  # IPv4-mapped metadata
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 form of 169.254.169.254
        "http://[2002:7f00:1::1]/",  # 6to4 around 127.0.0.1
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(PrivateAddress):
        check_url(url, NOTHING)


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "1.1.1.1"]
)
def test_public_addresses_pass(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))
    host = f"[{address}]" if ":" in address else address
    check_url(f"https://{host}/mod/lti/openid-configuration.php", NOTHING)


def test_allowed_hosts_pass_whatever_they_resolve_to() -> None:
    check_url("http://localhost:5001/lti/openid-configuration", allowed_hosts(["LocalHost"]))
    check_url("https://10.1.2.3/", allowed_hosts("*"))
    check_url("http://[::1]:8000/", allowed_hosts(["[::1]"]))
    with pytest.raises(PrivateAddress):
        check_url("http://127.0.0.1/", allowed_hosts(["localhost"]))  # the host as written
    with pytest.raises(PrivateAddress):
        check_url("http://127.0.0.2/", allowed_hosts(["127.0.0.1"]))  # not a neighbour


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "https:///nohost", "file:///etc/passwd", "http://h:99999/"]
)
def test_other_urls_are_not_web_addresses(url: str) -> None:
    with pytest.raises(NotAWebAddress):
        check_url(url, NOTHING)


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    with pytest.raises(OutboundUnreachable, match="cannot be resolved"):
        check_url("https://no-such-host.invalid/", NOTHING)
