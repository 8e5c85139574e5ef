"""A fake Microsoft Entra token endpoint and Microsoft Graph on 127.0.0.1, over https.

Why https: MSAL 1.39 accepts only https authorities (and https token endpoints from the tenant's
OpenID configuration). `running_fake_graph` makes a throw-away CA and a server certificate for
127.0.0.1; MSAL gets the CA file as `verify=`, aiohttp clients get `fake.client_ssl()`.

What MSAL fetches for a ConfidentialClientApplication with `instance_discovery=False`:
`GET /{tenant}/v2.0/.well-known/openid-configuration` (once, at construction), then
`POST /{tenant}/oauth2/v2.0/token` with grant_type=client_credentials.

Graph behaves like the real service where we rely on it: error bodies `{"error": {"code", "message"}}`,
404 `Request_ResourceNotFound` for a user without a manager, 401 `InvalidAuthenticationToken` for
unknown or expired tokens, paging through absolute `@odata.nextLink` URLs. Faults are scriptable
(`fail_next`), tokens can be expired on demand, and every request is recorded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import secrets
import ssl
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from yarl import URL

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "fake-client-secret"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    form: dict[str, str] | None = None

    @property
    def token(self) -> str | None:
        auth = self.authorization or ""
        return auth[7:] if auth.startswith("Bearer ") else None


@dataclass
class _Fault:
    status: int
    retry_after: str | None
    hang: float = 0.0  # seconds to hold the request before answering (a client timeout sees nothing)


@dataclass
class FakeGraph:
    users: dict[str, dict[str, str]] = field(default_factory=dict)
    managers: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    page_size: int = 2
    token_lifetime: int = 3599
    reject_all_tokens: bool = False  # Graph refuses even fresh tokens (e.g. a revoked app)
    requests: list[Recorded] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    base_url: str = ""
    _valid: set[str] = field(default_factory=set)
    _faults: deque[_Fault] = field(default_factory=deque)

    # --- scripting -------------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, *, manager: str | None = None, department: str | None = None) -> None:
        self.users[user_id] = {"id": user_id, "displayName": name}
        if department:
            self.users[user_id]["department"] = department
        if manager:
            self.managers[user_id] = manager

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """The next `times` Graph requests answer `status` (with Retry-After when given)."""
        self._faults.extend(_Fault(status, retry_after) for _ in range(times))

    def hang_next(self, seconds: float, times: int = 1) -> None:
        """The next `times` Graph requests get no answer for `seconds` (then a 504, as a gateway
        would send): a client with a shorter timeout sees Graph hang."""
        self._faults.extend(_Fault(504, None, hang=seconds) for _ in range(times))

    def expire_tokens(self) -> None:
        """Every token issued so far is rejected from now on, as after expiry or revocation."""
        self._valid.clear()

    @property
    def token_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/oauth2/v2.0/token")]

    @property
    def graph_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/v1.0/")]

    # --- the server ------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1.0/users", self._users)
        app.router.add_get("/v1.0/users/{id}", self._user)
        app.router.add_get("/v1.0/users/{id}/manager", self._manager)
        app.router.add_get("/v1.0/users/{id}/directReports", self._direct_reports)
        app.router.add_get("/v1.0/groups/{id}/members", self._members)
        app.router.add_get("/v1.0/groups/{id}/transitiveMembers", self._members)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        form = dict((await request.post()).items()) if request.method == "POST" else None
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                dict(request.query),
                request.headers.get("Authorization"),
                {k: str(v) for k, v in form.items()} if form is not None else None,
            )
        )
        if request.path.startswith("/v1.0/"):
            if self._faults:
                fault = self._faults.popleft()
                if fault.hang:
                    await asyncio.sleep(fault.hang)
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                code = "TooManyRequests" if fault.status == 429 else "serviceNotAvailable"
                return _error(fault.status, code, "scripted fault", headers)
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in self._valid or self.reject_all_tokens:
                return _error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        return await handler(request)

    async def _openid(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        if tenant != TENANT:
            return web.json_response({"error": "invalid_tenant"}, status=400)
        base = f"{self.base_url}/{tenant}"
        return web.json_response(
            {
                "issuer": f"{self.base_url}/{tenant}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client", "error_codes": [7000215]}, status=401)
        if form.get("scope") != GRAPH_SCOPE:
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = "fake-at-" + secrets.token_urlsafe(16)
        self.issued.append(token)
        self._valid.add(token)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "ext_expires_in": self.token_lifetime,
                "access_token": token,
            }
        )

    async def _user(self, request: web.Request) -> web.Response:
        user = self.users.get(request.match_info["id"])
        if user is None:
            return _not_found(request.match_info["id"])
        return web.json_response(_select(user, request))

    async def _users(self, request: web.Request) -> web.Response:
        """The users listing, paged, with `$expand=manager(...)` as Graph v1.0 answers it."""
        ids = sorted(self.users)
        start = int(request.query.get("$skiptoken", "0"))
        expand = request.query.get("$expand", "").startswith("manager")
        page = []
        for user_id in ids[start : start + self.page_size]:
            item: dict[str, object] = dict(_select(self.users[user_id], request))
            manager = self.managers.get(user_id)
            if expand and manager in self.users:
                item["manager"] = {"@odata.type": "#microsoft.graph.user", **self.users[manager]}
            page.append(item)
        body: dict[str, object] = {"value": page}
        if start + self.page_size < len(ids):
            query = {**request.query, "$skiptoken": str(start + self.page_size)}
            body["@odata.nextLink"] = str(URL(self.base_url).with_path(request.path).with_query(query))
        return web.json_response(body)

    async def _manager(self, request: web.Request) -> web.Response:
        manager = self.managers.get(request.match_info["id"])
        if request.match_info["id"] not in self.users or manager is None or manager not in self.users:
            return _not_found(request.match_info["id"])
        return web.json_response({"@odata.type": "#microsoft.graph.user", **_select(self.users[manager], request)})

    async def _direct_reports(self, request: web.Request) -> web.Response:
        """The users whose manager this user is, at most `$top` of them (Graph pages the rest)."""
        user_id = request.match_info["id"]
        if user_id not in self.users:
            return _not_found(user_id)
        reports = [u for u, m in self.managers.items() if m == user_id and u in self.users]
        top = int(request.query.get("$top", str(self.page_size)))
        value = [{"@odata.type": "#microsoft.graph.user", **_select(self.users[u], request)} for u in reports[:top]]
        return web.json_response({"value": value})

    async def _members(self, request: web.Request) -> web.Response:
        """Direct members list a nested group as a group object; transitiveMembers list it and,
        flattened, its own members (each object once), as Graph does."""
        group_id = request.match_info["id"]
        if group_id not in self.groups:
            return _not_found(group_id)
        members = (
            self._flatten(group_id, set())
            if request.path.endswith("/transitiveMembers")
            else [(m, "group" if m in self.groups else "user") for m in self.groups[group_id]]
        )
        start = int(request.query.get("$skiptoken", "0"))
        page = members[start : start + self.page_size]
        body: dict[str, object] = {"value": [{"@odata.type": f"#microsoft.graph.{kind}", "id": m} for m, kind in page]}
        if start + self.page_size < len(members):
            query = {**request.query, "$skiptoken": str(start + self.page_size)}
            body["@odata.nextLink"] = str(URL(self.base_url).with_path(request.path).with_query(query))
        return web.json_response(body)

    def _flatten(self, group_id: str, seen: set[str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for member in self.groups.get(group_id, []):
            if member in seen:
                continue
            seen.add(member)
            if member in self.groups:
                out.append((member, "group"))
                out += self._flatten(member, seen)
            else:
                out.append((member, "user"))
        return out


def _select(resource: dict[str, str], request: web.Request) -> dict[str, str]:
    wanted = request.query.get("$select")
    if not wanted:
        return dict(resource)
    return {k: v for k, v in resource.items() if k in wanted.split(",")}


def _not_found(object_id: str) -> web.Response:
    return _error(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message, "innerError": {"request-id": secrets.token_hex(8)}}},
        status=status,
        headers=headers,
    )


# --- TLS for 127.0.0.1 ------------------------------------------------------------------------------

_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1, signed by it. Returns (ca, cert, key) paths."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-graph test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


@dataclass
class RunningFake:
    graph: FakeGraph
    base_url: str
    ca_file: Path

    def client_ssl(self) -> ssl.SSLContext:
        """An SSL context for aiohttp clients that trusts the fake's CA (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.ca_file))


@asynccontextmanager
async def running_fake_graph(folder: Path, graph: FakeGraph | None = None) -> AsyncIterator[RunningFake]:
    """Serve a FakeGraph over https on 127.0.0.1 (free port) for the duration of the block."""
    graph = graph or FakeGraph()
    ca_path, cert_path, key_path = make_certificates(folder)
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(cert_path, key_path)
    runner = web.AppRunner(graph.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ssl)
    await site.start()
    port = runner.addresses[0][1]
    graph.base_url = f"https://127.0.0.1:{port}"
    try:
        yield RunningFake(graph, graph.base_url, ca_path)
    finally:
        await runner.cleanup()
