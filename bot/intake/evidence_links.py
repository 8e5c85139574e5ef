"""Short-lived, signed links to view evidence: the bot's route streams the file (local store) or
redirects to a read-only SAS minted at the click (Azure Blob).

A link is `/evidence/{case_id}/{sha256}?exp=<unix time>&sig=<HMAC>`; only the bot can make one, it
names exactly one file, and it stops working after `minutes`. Evidence pack links
(`/pack/{case_id}/{sha256}?to=<person>&exp=..&sig=..`) also sign the person they were issued to, so
each download's audit line can say whose link was used; their signature covers a different message,
so neither kind of link opens the other route. The key lives in memory (or comes
from settings), so links do not outlive a restart unless the key is configured.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

_CASE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
# ASCII digits only: str.isdigit() also says yes to "²" and "١٢٣", which int() then refuses or
# reads as a number, and a crash there was a 500 on a public route.
_EXP = re.compile(r"[0-9]{1,12}")
_SIG = re.compile(r"[0-9a-f]{32}")
_PERSON = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def link_key(configured: str, app_password: str) -> bytes | None:
    """The signing key every instance shares: the configured key, else one derived from the app's
    secret; None (a random key per process) only in the local mode with neither."""
    if configured:
        return hashlib.sha256(b"evidence-links:" + configured.encode()).digest()
    if app_password:
        return hmac.new(app_password.encode(), b"evidence-links", hashlib.sha256).digest()
    return None


class EvidenceLinks:
    def __init__(self, base_url: str, key: bytes | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = key or secrets.token_bytes(32)
        self._now = time.time

    def _sig(self, case_id: str, sha256: str, expires: int, to: str = "") -> str:
        message = (f"{case_id}/{sha256}/{to}/{expires}" if to else f"{case_id}/{sha256}/{expires}").encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]  # 128 bits keeps card links short

    def sign(self, case_id: str, sha256: str, minutes: int = 30, *, to: str = "") -> str:
        """`to`: the person the link is for (signed with it), so opening it is an access-log line."""
        if to and not _PERSON.fullmatch(to):
            raise ValueError("not a person id")
        expires = int(self._now()) + minutes * 60
        signature = self._sig(case_id, sha256, expires, to)
        viewer = f"&to={to}" if to else ""
        return f"{self.base_url}/evidence/{case_id}/{sha256}?exp={expires}{viewer}&sig={signature}"

    def verify(self, case_id: str, sha256: str, exp: str, sig: str, to: str = "") -> bool:
        if not (_CASE.fullmatch(case_id) and _SHA.fullmatch(sha256) and _EXP.fullmatch(exp) and _SIG.fullmatch(sig)):
            return False
        if to and not _PERSON.fullmatch(to):
            return False
        if int(exp) < self._now():
            return False
        return hmac.compare_digest(self._sig(case_id, sha256, int(exp), to), sig)

    def _export_sig(self, export: str, sha256: str, to: str, expires: int) -> str:
        message = f"export/{export}/{sha256}/{to}/{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def sign_export(self, export: str, sha256: str, to: str, minutes: int) -> tuple[str, int]:
        """A link to one person-data export for the HR person who asked; (url, expiry)."""
        if not (_CASE.fullmatch(export) and _PERSON.fullmatch(to)):
            raise ValueError("not an export or person id")
        expires = int(self._now()) + minutes * 60
        signature = self._export_sig(export, sha256, to, expires)
        return f"{self.base_url}/export/{export}/{sha256}?to={to}&exp={expires}&sig={signature}", expires

    def verify_export(self, export: str, sha256: str, to: str, exp: str, sig: str) -> bool:
        checks = ((_CASE, export), (_SHA, sha256), (_PERSON, to), (_EXP, exp), (_SIG, sig))
        if not all(pattern.fullmatch(value) for pattern, value in checks):
            return False
        if int(exp) < self._now():
            return False
        return hmac.compare_digest(self._export_sig(export, sha256, to, int(exp)), sig)

    def _pack_sig(self, case_id: str, sha256: str, to: str, expires: int) -> str:
        message = f"pack/{case_id}/{sha256}/{to}/{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def sign_pack(self, case_id: str, sha256: str, to: str, minutes: int) -> tuple[str, int]:
        """A link to one stored pack file for one person; returns (url, expiry as unix time)."""
        if not _PERSON.fullmatch(to):
            raise ValueError("not a person id")
        expires = int(self._now()) + minutes * 60
        signature = self._pack_sig(case_id, sha256, to, expires)
        return f"{self.base_url}/pack/{case_id}/{sha256}?to={to}&exp={expires}&sig={signature}", expires

    def verify_pack(self, case_id: str, sha256: str, to: str, exp: str, sig: str) -> bool:
        checks = ((_CASE, case_id), (_SHA, sha256), (_PERSON, to), (_EXP, exp), (_SIG, sig))
        if not all(pattern.fullmatch(value) for pattern, value in checks):
            return False
        if int(exp) < self._now():
            return False
        return hmac.compare_digest(self._pack_sig(case_id, sha256, to, int(exp)), sig)
