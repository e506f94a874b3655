"""throttle.client_ip: which address the throttles count, with and without proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from emtihan.accounts.throttle import client_ip


def request(remote: str = "10.0.0.1", **headers: str):
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_proxies_the_connection_s_address_is_used():
    assert client_ip(request("192.0.2.5", x_forwarded_for="203.0.113.1")) == "192.0.2.5"


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "198.51.100.9, 203.0.113.1", "203.0.113.1"),  # the left one came from the browser
        (2, "198.51.100.9, 203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (2, "203.0.113.1", "10.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, " 203.0.113.1 ,", "203.0.113.1"),
    ],
)
def test_behind_proxies_the_outermost_proxy_s_entry_is_used(count, header, expected):
    with override_settings(TRUSTED_PROXY_COUNT=count):
        headers = {"x_forwarded_for": header} if header else {}
        assert client_ip(request(**headers)) == expected


@override_settings(TRUSTED_PROXY_COUNT=1, CLIENT_IP_HEADER="X-Real-IP")
def test_the_header_can_be_named():
    assert client_ip(request(x_real_ip="203.0.113.7", x_forwarded_for="1.1.1.1")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_an_ipv6_address_counts_as_its_64_network():
    one = client_ip(request("2001:db8:1:2::10"))
    other = client_ip(request("2001:db8:1:2:ffff::1"))

    assert one == other == "2001:db8:1:2::/64"
    assert client_ip(request("::ffff:192.0.2.5")) == "192.0.2.5"
