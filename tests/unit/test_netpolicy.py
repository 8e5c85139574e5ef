"""The PRODUCTION address policy: HTTPS to allow-listed Microsoft hosts with public addresses only.

No traffic leaves loopback: URLs are refused by `check_url` before any connect, names are
resolved by a table-driven fake DNS, and the one end-to-end case points at a loopback fake host
that must record no request at all.
"""

from __future__ import annotations

import ipaddress
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.errors import EvidenceRejected
from bot.intake.evidence import EvidenceIntake, Limits
from bot.intake.netpolicy import AddressNotAllowedError, AllowListPolicy, PolicyResolver, is_public_address
from tests.fakes.file_host import FakeFileHost
from tests.fakes.memory import MemoryStore

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata service
    "169.254.0.1",
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.254",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "198.18.0.1",
    "::",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "ff0e::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::10.0.0.1",
    "2002:a00:1::",  # 6to4 around 10.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 around the metadata address
    "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address
    "2001:db8::1",
]
PUBLIC = ["13.107.136.9", "52.96.0.1", "8.8.8.8", "2603:1061::1", "2620:1ec:8f8::1", "::ffff:13.107.136.9"]


@pytest.mark.parametrize("text", REFUSED)
def test_internal_addresses_are_not_public(text: str) -> None:
    assert not is_public_address(ipaddress.ip_address(text))
    assert not AllowListPolicy().address_allowed(ipaddress.ip_address(text))


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_are_public(text: str) -> None:
    assert is_public_address(ipaddress.ip_address(text))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://contoso.sharepoint.com/x.png", "evidence.not_https"),
        ("file:///etc/passwd", "evidence.not_https"),
        ("https://169.254.169.254/latest/meta-data/", "evidence.address_not_allowed"),
        ("https://127.0.0.1/x.png", "evidence.address_not_allowed"),
        ("https://[::1]/x.png", "evidence.address_not_allowed"),
        ("https://[::ffff:169.254.169.254]/x.png", "evidence.address_not_allowed"),
        ("https://10.0.0.5/x.png", "evidence.address_not_allowed"),
        ("https://13.107.136.9/x.png", "evidence.host_not_allowed"),  # public, but not a name on the list
        ("https://evil.example.net/x.png", "evidence.host_not_allowed"),
        ("https://sharepoint.com.evil.net/x.png", "evidence.host_not_allowed"),
        ("https://evilsharepoint.com/x.png", "evidence.host_not_allowed"),
        ("https://trafficmanager.net/x.png", "evidence.host_not_allowed"),
        ("https://localhost/x.png", "evidence.host_not_allowed"),
        ("https://contoso.sharepoint.com:8443/x.png", "evidence.host_not_allowed"),
        ("https://user:pw@contoso.sharepoint.com/x.png", "evidence.host_not_allowed"),
    ],
)
def test_production_policy_refuses_urls(url: str, reason: str) -> None:
    with pytest.raises(EvidenceRejected) as info:
        AllowListPolicy().check_url(URL(url))
    assert info.value.reason == reason


@pytest.mark.parametrize(
    "url",
    [
        "https://contoso.sharepoint.com/personal/x/Documents/shot.png",
        "https://CONTOSO-my.SharePoint.com./x",
        "https://contoso.sharepoint.us/x",
        "https://1drv.ms/i/s!abc",
        "https://smba.trafficmanager.net/emea/v3/attachments/x/views/original",
        "https://eu-api.asm.skype.com/v1/objects/x/views/imgo",
        "https://graph.microsoft.com/v1.0/drives/x/items/y/content",
        "https://contoso.botframework.com:443/x",
    ],
)
def test_production_policy_allows_microsoft_hosts(url: str) -> None:
    AllowListPolicy().check_url(URL(url))


class MapResolver(AbstractResolver):
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=ip, port=port, family=socket.AF_INET, proto=0, flags=0)
            for ip in self.table[host]
        ]

    async def close(self) -> None:
        pass


async def test_resolver_refuses_any_internal_answer() -> None:
    dns = MapResolver(
        {
            "good.sharepoint.com": ["13.107.136.9", "13.107.138.9"],
            "rebound.sharepoint.com": ["127.0.0.1"],
            "mixed.sharepoint.com": ["13.107.136.9", "169.254.169.254"],
            "v6.sharepoint.com": ["fe80::1%eth0"],
            "empty.sharepoint.com": [],
        }
    )
    resolver = PolicyResolver(AllowListPolicy(), dns)
    assert [r["host"] for r in await resolver.resolve("good.sharepoint.com", 443)] == [
        "13.107.136.9",
        "13.107.138.9",
    ]
    for name in (
        "rebound.sharepoint.com",
        "mixed.sharepoint.com",
        "v6.sharepoint.com",
        "empty.sharepoint.com",
    ):
        with pytest.raises(AddressNotAllowedError):
            await resolver.resolve(name, 443)


async def test_dns_rebinding_to_loopback_is_refused_at_connect_time(tmp_path: Path) -> None:
    """The URL passes every name check; only the resolved address gives it away. The fake host
    listens on that address and port and must never see a request."""
    store = MemoryStore()
    async with FakeFileHost() as host:
        policy = AllowListPolicy(ports=(443, host.port))
        dns = MapResolver({"contoso.sharepoint.com": ["127.0.0.1"]})
        intake = EvidenceIntake(store, policy, Limits(), dns_resolver=dns)
        attachment = {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": "shot.png",
            "content": {"downloadUrl": f"https://contoso.sharepoint.com:{host.port}/files/shot.png"},
        }
        with pytest.raises(EvidenceRejected) as info:
            await intake.ingest(attachment, "case-1", "u", datetime.now(UTC))
        assert info.value.reason == "evidence.address_not_allowed"
        assert host.seen == []
    assert store.evidence == {}


async def test_system_resolver_answer_for_localhost_is_refused(tmp_path: Path) -> None:
    """Same, through the real system resolver (localhost comes from the hosts file, no network):
    even a policy that lists the name refuses the loopback address it resolves to."""
    store = MemoryStore()
    async with FakeFileHost() as host:
        policy = AllowListPolicy(hosts=("localhost",), ports=(host.port,))
        intake = EvidenceIntake(store, policy, Limits())
        attachment = {
            "contentType": "image/png",
            "contentUrl": f"https://localhost:{host.port}/files/shot.png",
        }
        with pytest.raises(EvidenceRejected) as info:
            await intake.ingest(attachment, "case-1", "u", datetime.now(UTC))
        assert info.value.reason == "evidence.address_not_allowed"
        assert host.seen == []
    assert store.evidence == {}
