"""Where the bot may fetch attachments from: scheme, host and address rules, enforced at connect time.

A Teams attachment URL is attacker-controlled input (anyone can paste or forge a link), so an
unguarded fetch is a server-side request forgery hole: the metadata service at 169.254.169.254,
the storage emulator on loopback, an intranet host. Two checks close it:

* `AddressPolicy.check_url` runs on the first URL and on every redirect target (scheme, host, port;
  an IP literal is judged as an address, since aiohttp connects to literals without resolving).
* `PolicyResolver` sits inside the aiohttp connector and refuses any name whose resolved addresses
  are not all allowed. The check happens on the addresses actually used to connect, so a DNS answer
  that changes between a check and the connect (rebinding) cannot slip past it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Protocol

from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.errors import EvidenceRejected

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Microsoft hosts that serve Teams attachments. Each entry matches itself and its subdomains.
#: `asm.skype.com` serves inline images pasted into a chat (their `contentUrl`).
DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = (
    "sharepoint.com",
    "sharepoint.us",
    "onedrive.com",
    "1drv.ms",
    "teams.microsoft.com",
    "smba.trafficmanager.net",
    "botframework.com",
    "microsoft.com",
    "graph.microsoft.com",
    "office.com",
    "asm.skype.com",
)

#: The Bot Framework's own attachment hosts: the only ones that may see the bot's token (an inline
#: image's `contentUrl` needs it). SharePoint, OneDrive and the rest are allowed download hosts,
#: but a token sent there would be a bearer credential handed to a host that never asked for it.
BOT_TOKEN_HOSTS: tuple[str, ...] = ("smba.trafficmanager.net", "botframework.com", "asm.skype.com")


def is_bot_attachment_host(url: URL) -> bool:
    """HTTPS to a Bot Framework attachment host (suffix match on a label boundary), port 443."""
    host = _normal_host(url)
    if url.scheme.lower() != "https" or url.port != 443 or parse_ip(host) is not None:
        return False
    return any(host == h or host.endswith("." + h) for h in BOT_TOKEN_HOSTS)


# Networks that are never a public Internet host, beyond what the ipaddress flags already say.
# Listed explicitly so the rule does not drift with the Python version's idea of "global".
_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, includes the cloud metadata service
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast
    )
)
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/128",
        "::1/128",
        "::/96",  # deprecated IPv4-compatible
        "100::/64",  # discard
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # old site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(address: IPAddress) -> bool:
    """True only for a globally routable unicast address. IPv6 forms that carry an IPv4 address
    (mapped, 6to4, Teredo, NAT64) are judged by the IPv4 address they lead to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_v4(address)
        if embedded is not None:
            return is_public_address(embedded)
        if any(address in net for net in _BLOCKED_V6):
            return False
    elif any(address in net for net in _BLOCKED_V4):
        return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    )


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def parse_ip(text: str) -> IPAddress | None:
    """The address in `text` (an IPv6 zone suffix is dropped), or None when it is a name."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


class AddressPolicy(Protocol):
    """Decides where a download may go. Raises EvidenceRejected with a stable reason key."""

    def check_url(self, url: URL) -> None:
        """Refuse with evidence.not_https, evidence.host_not_allowed or evidence.address_not_allowed."""

    def address_allowed(self, address: IPAddress) -> bool:
        """May the client open a connection to this resolved address?"""


def _normal_host(url: URL) -> str:
    return (url.raw_host or "").lower().rstrip(".")


class AllowListPolicy:
    """The production policy: HTTPS on port 443, a host on the allow-list, public addresses only."""

    def __init__(
        self,
        hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
        *,
        schemes: Iterable[str] = ("https",),
        ports: Iterable[int] = (443,),
    ) -> None:
        self._hosts = tuple(h.lower().strip(".") for h in hosts if h.strip("."))
        self._schemes = frozenset(s.lower() for s in schemes)
        self._ports = frozenset(ports)

    def host_allowed(self, host: str) -> bool:
        """Suffix match on a label boundary: `x.sharepoint.com` yes, `evilsharepoint.com` no."""
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self._hosts)

    def check_url(self, url: URL) -> None:
        if url.scheme.lower() not in self._schemes:
            raise EvidenceRejected("evidence.not_https", f"scheme {url.scheme!r}")
        host = _normal_host(url)
        literal = parse_ip(host)
        if literal is not None and not self.address_allowed(literal):
            raise EvidenceRejected("evidence.address_not_allowed", "literal address")
        if url.user is not None or url.password is not None:
            raise EvidenceRejected("evidence.host_not_allowed", "credentials in URL")
        if literal is not None or not self.host_allowed(host) or url.port not in self._ports:
            raise EvidenceRejected("evidence.host_not_allowed", f"host {host!r} port {url.port}")

    def address_allowed(self, address: IPAddress) -> bool:
        return is_public_address(address)


class AddressNotAllowedError(OSError):
    """Raised inside the connector when a name resolves to a refused address.

    An OSError, because aiohttp wraps resolver OSErrors into ClientConnectorDNSError (keeping
    this as `os_error`) and the intake maps that back to evidence.address_not_allowed."""


class PolicyResolver(AbstractResolver):
    """Wraps a real resolver; refuses the name if ANY resolved address is not allowed.

    All-or-nothing rather than filtering: a name that mixes public and internal answers is
    hostile, and filtering would leave the attacker a retry lottery."""

    def __init__(self, policy: AddressPolicy, base: AbstractResolver, *, owns_base: bool = True) -> None:
        self._policy = policy
        self._base = base
        self._owns_base = owns_base

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._base.resolve(host, port, family)
        if not results:
            raise AddressNotAllowedError("name resolved to no address")
        for result in results:
            address = parse_ip(result["host"])
            if address is None or not self._policy.address_allowed(address):
                raise AddressNotAllowedError("name resolved to a refused address")
        return results

    async def close(self) -> None:
        if self._owns_base:
            await self._base.close()


class DevOriginsPolicy:
    """Local development only: also allow a few exact origins (e.g. a file server on loopback).

    Settings refuse this whenever an app id is configured, so it can never widen a deployed bot.
    Everything else goes through the production policy unchanged."""

    def __init__(self, base: AllowListPolicy, origins: Iterable[str]) -> None:
        self._base = base
        self._origins = frozenset(URL(o).origin() for o in origins)

    def check_url(self, url: URL) -> None:
        if url.is_absolute() and url.origin() in self._origins:
            return
        self._base.check_url(url)

    def address_allowed(self, address: IPAddress) -> bool:
        return self._base.address_allowed(address)
