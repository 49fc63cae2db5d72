"""A typed client of the Vault API on the Python standard library alone (dataclasses, urllib).

Kiota's Python runtime is published only on PyPI; this client needs nothing beyond Python 3.10. Every operation of the
OpenAPI document (operationId in camelCase) is a method here in snake_case; a test keeps the two lists equal.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Optional

DEFAULT_URL = "http://127.0.0.1:7071"

__all__ = [
    "DEFAULT_URL", "VaultClient", "VaultError", "Unauthorized", "NotFound", "Conflict", "Refused", "Unavailable",
    "Item", "FieldMetadata", "Connection", "ConnectionError_", "SyncResult", "SyncSummary", "SyncedConnection",
    "Run", "RunCredential", "Totp", "UsageDay", "CreatedAccount", "CreatedKey", "RateLimited", "AuditEntry",
]

# Headers that carry a key or a token: never sent to another origin.
_SECRET_HEADERS = ("x-api-key", "x-admin-key", "authorization")


def _origin(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or (443 if parts.scheme.lower() == "https" else 80)


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.") or host.endswith(".localhost")


class _KeepKeysHome(urllib.request.HTTPRedirectHandler):
    """Follows a redirect, but a key or token goes only back to the origin it was meant for (and never over plain http
    off loopback): urllib copies every header to the new location otherwise."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is None:
            return None
        scheme, host, _ = _origin(newurl)
        if _origin(newurl) != _origin(req.full_url) or (scheme != "https" and not _is_loopback(host)):
            for name in list(new.headers):
                if name.lower() in _SECRET_HEADERS:
                    del new.headers[name]
            for name in list(new.unredirected_hdrs):
                if name.lower() in _SECRET_HEADERS:
                    del new.unredirected_hdrs[name]
        return new


_OPENER = urllib.request.build_opener(_KeepKeysHome)


# ---- errors: one class per kind of answer a caller handles differently ----

class VaultError(Exception):
    """A failed call: the HTTP status and the contract's error body (code, message, requestId, details)."""

    def __init__(self, status: int, code: str, message: str, request_id: Optional[str] = None,
                 details: Optional[list[dict[str, Any]]] = None):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.details = details or []


class Refused(VaultError):
    """A 4xx other than those below (e.g. INVALID_INPUT, INVALID_VAULT_TOKEN, UNKNOWN_CREDENTIAL_ITEM)."""


class Unauthorized(VaultError):
    """401: MISSING_API_KEY, INVALID_API_KEY or UNAUTHORIZED."""


class NotFound(VaultError):
    """404: NOT_FOUND or NO_CONNECTIONS."""


class Conflict(VaultError):
    """409: MAX_CONNECTIONS."""


class RateLimited(VaultError):
    """429: RATE_LIMIT_EXCEEDED; retry_after is the Retry-After header in seconds."""

    retry_after: Optional[int] = None


class Unavailable(VaultError):
    """503 (VAULT_UNAVAILABLE), another 5xx, or the service could not be reached (status 0)."""


_BY_STATUS: dict[int, type[VaultError]] = {401: Unauthorized, 404: NotFound, 409: Conflict, 429: RateLimited}


# ---- models: the answers' fields, snake_case; unknown fields are ignored ----

@dataclass(frozen=True)
class FieldMetadata:
    field_id: str
    label: str
    type: str

    @staticmethod
    def from_json(d: dict[str, Any]) -> "FieldMetadata":
        return FieldMetadata(d.get("fieldId", ""), d.get("label", ""), d.get("type", ""))


@dataclass(frozen=True)
class Item:
    item_id: str
    connection_id: str
    provider: str
    vault_id: str
    vault_name: str
    label: str
    username: Optional[str]
    urls: list[str]
    domains: list[str]
    field_metadata: list[FieldMetadata]
    has_totp: bool
    enabled: bool
    updated_at: Optional[str]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @staticmethod
    def from_json(d: dict[str, Any]) -> "Item":
        return Item(d["itemId"], d.get("connectionId", ""), d.get("provider", ""), d.get("vaultId", ""),
                    d.get("vaultName", ""), d.get("label", ""), d.get("username"), list(d.get("urls") or []),
                    list(d.get("domains") or []), [FieldMetadata.from_json(f) for f in d.get("fieldMetadata") or []],
                    bool(d.get("hasTotp")), bool(d.get("enabled", True)), d.get("updatedAt"), d)


@dataclass(frozen=True)
class ConnectionError_:
    code: str
    message: str
    at: Optional[str]

    @staticmethod
    def from_json(d: Optional[dict[str, Any]]) -> Optional["ConnectionError_"]:
        return None if not d else ConnectionError_(d.get("code", ""), d.get("message", ""), d.get("at"))


@dataclass(frozen=True)
class Connection:
    connection_id: str
    provider: str
    status: str
    label: Optional[str]
    server_url: Optional[str]
    item_count: int
    vaults: list[str]
    created_at: Optional[str]
    last_synced_at: Optional[str]
    last_error: Optional[ConnectionError_]
    connected: Optional[bool] = None
    items: list[Item] = field(default_factory=list)

    @staticmethod
    def from_json(d: dict[str, Any]) -> "Connection":
        return Connection(d["connectionId"], d.get("provider", ""), d.get("status", ""), d.get("label"), d.get("serverUrl"),
                          int(d.get("itemCount") or 0), list(d.get("vaults") or []), d.get("createdAt"),
                          d.get("lastSyncedAt"), ConnectionError_.from_json(d.get("lastError")), d.get("connected"),
                          [Item.from_json(i) for i in d.get("items") or []])


@dataclass(frozen=True)
class SyncSummary:
    added: int
    updated: int
    removed: int
    skipped_disabled: int


@dataclass(frozen=True)
class SyncedConnection:
    connection_id: str
    status: str
    item_count: int
    error: Optional[ConnectionError_]


@dataclass(frozen=True)
class SyncResult:
    items: list[Item]
    summary: SyncSummary
    connections: list[SyncedConnection]

    @staticmethod
    def from_json(d: dict[str, Any]) -> "SyncResult":
        s = d.get("sync_summary") or {}
        return SyncResult([Item.from_json(i) for i in d.get("items") or []],
                          SyncSummary(s.get("added", 0), s.get("updated", 0), s.get("removed", 0), s.get("skippedDisabled", 0)),
                          [SyncedConnection(c["connectionId"], c.get("status", ""), int(c.get("itemCount") or 0),
                                            ConnectionError_.from_json(c.get("error"))) for c in d.get("connections") or []])


@dataclass(frozen=True)
class Run:
    run_id: str
    status: str
    url: Optional[str]
    credentials: list[dict[str, Any]]
    expires_at: Optional[str]
    run_token: Optional[str] = field(default=None, repr=False)  # only in the answer that created the run

    @staticmethod
    def from_json(d: dict[str, Any]) -> "Run":
        return Run(d["runId"], d.get("status", ""), d.get("url"), list(d.get("credentials") or []), d.get("expiresAt"),
                   d.get("runToken"))


@dataclass(frozen=True)
class Totp:
    code: str
    expires_at: Optional[str]


@dataclass(frozen=True)
class RunCredential:
    item_id: str
    label: str
    username: Optional[str]
    password: Optional[str] = field(repr=False)
    urls: list[str]
    totp: Optional[Totp] = field(repr=False)

    @staticmethod
    def from_json(d: dict[str, Any]) -> "RunCredential":
        t = d.get("totp")
        return RunCredential(d["itemId"], d.get("label", ""), d.get("username"), d.get("password"),
                             list(d.get("urls") or []), Totp(t["code"], t.get("expiresAt")) if t else None)


@dataclass(frozen=True)
class AuditEntry:
    at: str
    item_ids: list[str]
    domain: Optional[str]
    caller: Optional[str]
    user_agent: Optional[str] = None

    @staticmethod
    def from_json(d: dict[str, Any]) -> "AuditEntry":
        return AuditEntry(d["at"], list(d.get("itemIds") or []), d.get("domain"), d.get("caller"), d.get("userAgent"))


@dataclass(frozen=True)
class UsageDay:
    date: str
    calls: int
    by_route: dict[str, int]


@dataclass(frozen=True)
class CreatedAccount:
    account_id: str
    api_key: str = field(repr=False)


@dataclass(frozen=True)
class CreatedKey:
    key_id: str
    api_key: str = field(repr=False)


# ---- the client ----

class VaultClient:
    """One method per operation of the API. Failed calls raise a VaultError subclass; no secret is ever in one."""

    def __init__(self, base_url: Optional[str] = None, api_key: Optional[str] = None, timeout: float = 120.0,
                 admin_key: Optional[str] = None):
        self.base_url = (base_url or os.environ.get("VAULT_URL") or DEFAULT_URL).rstrip("/")
        scheme, host, _ = _origin(self.base_url)
        if scheme not in ("http", "https") or (scheme == "http" and not _is_loopback(host)):
            # A key sent over plain http can be read by anyone on the path.
            raise ValueError(f"The Vault URL must be https (plain http only on loopback): {self.base_url}")
        self.api_key = api_key if api_key is not None else os.environ.get("VAULT_API_KEY")
        self.admin_key = admin_key
        self.timeout = timeout

    # -- transport --

    def _request(self, method: str, path: str, body: Optional[dict[str, Any]] = None,
                 query: Optional[dict[str, Any]] = None, headers: Optional[dict[str, str]] = None) -> Any:
        url = self.base_url + path
        if query:
            pairs = {k: ("true" if v is True else "false" if v is False else v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers if headers is not None else self._key_headers()).items():
            request.add_header(name, value)
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
                return json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            raise _error_from(e) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            raise Unavailable(0, "UNREACHABLE", f"The Vault service at {self.base_url} could not be reached") from e

    def _key_headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key} if self.api_key else {}

    def _admin_headers(self) -> dict[str, str]:
        return {"X-Admin-Key": self.admin_key} if self.admin_key else {}

    # -- operations (operationId → snake_case) --

    def get_health(self) -> dict[str, Any]:
        return self._request("GET", "/v1/health", headers={})

    def get_open_api_document(self) -> dict[str, Any]:
        return self._request("GET", "/v1/openapi.json", headers={})

    def create_account(self, name: str) -> CreatedAccount:
        d = self._request("POST", "/v1/admin/accounts", {"name": name}, headers=self._admin_headers())
        return CreatedAccount(d["accountId"], d["apiKey"])

    def delete_account(self, account_id: str) -> None:
        """Revokes the account's keys and runs, disconnects every connection (its key shredded first), then deletes it."""
        self._request("DELETE", f"/v1/admin/accounts/{_seg(account_id)}", headers=self._admin_headers())

    def create_api_key(self, account_id: str) -> CreatedKey:
        d = self._request("POST", f"/v1/admin/accounts/{_seg(account_id)}/keys", headers=self._admin_headers())
        return CreatedKey(d["keyId"], d["apiKey"])

    def revoke_api_key(self, account_id: str, key_id: str) -> None:
        self._request("DELETE", f"/v1/admin/accounts/{_seg(account_id)}/keys/{_seg(key_id)}", headers=self._admin_headers())

    def create_connection(self, provider: str, *, token: Optional[str] = None, client_id: Optional[str] = None,
                          client_secret: Optional[str] = None, master_password: Optional[str] = None,
                          server_url: Optional[str] = None, region: Optional[str] = None,
                          server_ca_certificate: Optional[str] = None) -> Connection:
        body = {"provider": provider, "token": token, "clientId": client_id, "clientSecret": client_secret,
                "masterPassword": master_password, "serverUrl": server_url, "region": region,
                "serverCaCertificate": server_ca_certificate}
        return Connection.from_json(self._request("POST", "/v1/vault/connections", {k: v for k, v in body.items() if v is not None}))

    def list_connections(self) -> list[Connection]:
        return [Connection.from_json(c) for c in self._request("GET", "/v1/vault/connections")["connections"]]

    def delete_connection(self, connection_id: str) -> bool:
        return bool(self._request("DELETE", f"/v1/vault/connections/{_seg(connection_id)}")["disconnected"])

    def list_items(self, *, domain: Optional[str] = None, connection_id: Optional[str] = None, vault: Optional[str] = None,
                   enabled: Optional[bool] = None, limit: Optional[int] = None,
                   page_token: Optional[str] = None) -> tuple[list[Item], Optional[str]]:
        """One page of items and the next page's token (None on the last page); see iter_items for all of them."""
        d = self._request("GET", "/v1/vault/items", query={"domain": domain, "connectionId": connection_id, "vault": vault,
                                                            "enabled": enabled, "limit": limit, "pageToken": page_token})
        return [Item.from_json(i) for i in d["items"]], d.get("nextPageToken")

    def iter_items(self, **filters: Any) -> list[Item]:
        items, token = self.list_items(**filters)
        while token:
            page, token = self.list_items(**filters, page_token=token)
            items.extend(page)
        return items

    def update_item(self, item_id: str, *, enabled: bool) -> Item:
        return Item.from_json(self._request("PATCH", f"/v1/vault/items/{_seg(item_id)}", {"enabled": enabled}))

    def sync_items(self, connection_id: Optional[str] = None) -> SyncResult:
        body = {"connectionId": connection_id} if connection_id else {}
        return SyncResult.from_json(self._request("POST", "/v1/vault/items/sync", body))

    def create_run(self, *, url: Optional[str] = None, goal: Optional[str] = None, use_vault: Optional[bool] = None,
                   credential_item_ids: Optional[list[str]] = None) -> Run:
        body = {"url": url, "goal": goal, "use_vault": use_vault, "credential_item_ids": credential_item_ids}
        return Run.from_json(self._request("POST", "/v1/runs", {k: v for k, v in body.items() if v is not None}))

    def get_run(self, run_id: str) -> Run:
        return Run.from_json(self._request("GET", f"/v1/runs/{_seg(run_id)}"))

    def revoke_run(self, run_id: str) -> None:
        """The run's token stops working at once, on every instance."""
        self._request("DELETE", f"/v1/runs/{_seg(run_id)}")

    def get_run_audit(self, run_id: str, *, limit: Optional[int] = None,
                      page_token: Optional[str] = None) -> tuple[list[AuditEntry], Optional[str]]:
        """One page of the run's credential reads, newest first, and the next page's token (None on the last page)."""
        d = self._request("GET", f"/v1/runs/{_seg(run_id)}/audit", query={"limit": limit, "pageToken": page_token})
        return [AuditEntry.from_json(e) for e in d["entries"]], d.get("nextPageToken")

    def push_run_code(self, run_id: str, text: str, *, from_: Optional[str] = None, subject: Optional[str] = None) -> str:
        """Hands a message to a run (e.g. from a forwarder of your own); its code and link are found in it."""
        body = {"text": text, "from": from_, "subject": subject}
        return self._request("POST", f"/v1/runs/{_seg(run_id)}/codes", {k: v for k, v in body.items() if v is not None})["id"]

    def get_run_codes(self, run_id: str, run_token: str, *, wait: Optional[int] = None,
                      after: Optional[str] = None) -> tuple[list[dict[str, Any]], str]:
        """The run's one-time codes after the cursor (waiting up to `wait` seconds for one), and the next cursor."""
        d = self._request("GET", f"/v1/runs/{_seg(run_id)}/codes", query={"wait": wait, "after": after},
                          headers={"Authorization": f"Bearer {run_token}"})
        return list(d["codes"]), d["cursor"]

    def wait_for_code(self, run_id: str, run_token: str, *, timeout: float = 120.0,
                      after: Optional[str] = None) -> Optional[dict[str, Any]]:
        """Waits for the run's next message with a code or link (long-polls in 30 s steps); None when none came in time."""
        import math
        import time
        deadline = time.monotonic() + timeout
        cursor = after
        if cursor is None:
            _, cursor = self.get_run_codes(run_id, run_token)  # only what arrives from now on
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            codes, cursor = self.get_run_codes(run_id, run_token, wait=max(1, min(30, math.ceil(left))), after=cursor)
            for code in codes:
                if code.get("code") or code.get("link"):
                    return code

    def receive_mailgun_email(self, form: dict[str, str]) -> None:
        """What Mailgun's inbound route posts (for tests of a deployment; Mailgun signs it)."""
        self._request_form("/v1/inbound/email/mailgun", form)

    def receive_twilio_sms(self, form: dict[str, str], signature: str) -> None:
        """What Twilio's messaging webhook posts, with its X-Twilio-Signature."""
        self._request_form("/v1/inbound/sms/twilio", form, {"X-Twilio-Signature": signature})

    def set_sms_number(self, account_id: str, number: str) -> str:
        d = self._request("PUT", f"/v1/admin/accounts/{_seg(account_id)}/sms-number", {"number": number}, headers=self._admin_headers())
        return d["number"]

    def delete_sms_number(self, account_id: str) -> None:
        self._request("DELETE", f"/v1/admin/accounts/{_seg(account_id)}/sms-number", headers=self._admin_headers())

    def _request_form(self, path: str, form: dict[str, str], headers: Optional[dict[str, str]] = None) -> None:
        data = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as e:
            raise _error_from(e) from None

    def get_run_credentials(self, run_id: str, run_token: str, *, domain: Optional[str] = None) -> list[RunCredential]:
        """What an agent runtime calls, with the run's own token (not the API key)."""
        d = self._request("GET", f"/v1/runs/{_seg(run_id)}/credentials", query={"domain": domain},
                          headers={"Authorization": f"Bearer {run_token}"})
        return [RunCredential.from_json(c) for c in d["credentials"]]

    def get_usage(self, *, from_date: Optional[str] = None, to_date: Optional[str] = None) -> list[UsageDay]:
        d = self._request("GET", "/v1/usage", query={"from": from_date, "to": to_date})
        return [UsageDay(x["date"], int(x.get("calls") or 0), dict(x.get("byRoute") or {})) for x in d["days"]]


def _seg(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _error_from(e: urllib.error.HTTPError) -> VaultError:
    try:
        body = json.loads(e.read().decode("utf-8") or "{}").get("error") or {}
    except ValueError:
        body = {}
    status = e.code
    kind = _BY_STATUS.get(status) or (Unavailable if status >= 500 else Refused)
    error = kind(status, body.get("code") or f"HTTP_{status}", body.get("message") or e.reason or "", body.get("requestId"),
                 body.get("details"))
    if isinstance(error, RateLimited):
        retry = e.headers.get("Retry-After")
        error.retry_after = int(retry) if retry and retry.isdigit() else None
    return error
