"""Registration URLs may not lead the tool into a private network unless allowed."""

from __future__ import annotations

import pytest

from lti_tool.lti1p3.platform_address import check_reachable
from lti_tool.lti1p3.service_errors import PrivateAddress, RegistrationFailed


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/openid-configuration",
        "http://localhost/openid-configuration",  # a name that resolves to the loopback
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://10.1.2.3/mod/lti/openid-configuration.php",
        "https://192.168.1.10/",
        "https://172.16.0.5/",
        "http://[::1]:8000/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0/",
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(PrivateAddress):
        check_reachable(url)


def test_a_public_address_passes() -> None:
    check_reachable("https://93.184.215.14/mod/lti/openid-configuration.php")


def test_allowed_hosts_pass_whatever_they_resolve_to() -> None:
    check_reachable("http://localhost:5001/lti/openid-configuration", ["LocalHost"])
    check_reachable("https://10.1.2.3/", ["*"])
    with pytest.raises(PrivateAddress):
        check_reachable("http://127.0.0.1/", ["localhost"])  # the host as written counts


@pytest.mark.parametrize("url", ["ftp://example.org/", "https:///nohost", "file:///etc/passwd"])
def test_other_urls_are_not_web_addresses(url: str) -> None:
    with pytest.raises(RegistrationFailed):
        check_reachable(url)


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(RegistrationFailed, match="cannot be resolved"):
        check_reachable("https://no-such-host.invalid/")
