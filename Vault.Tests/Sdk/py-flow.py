"""Drives the Python SDK (sdk/python) through the flow SdkEndToEndTests checks; prints one JSON result.
Input: VAULT_URL, VAULT_API_KEY and FLOW (JSON: {serverUrl, first: {clientId, clientSecret, masterPassword}, third: {…}})."""
import json
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sdk", "python"))
from vault_client import VaultClient, VaultError  # noqa: E402

flow = json.loads(os.environ["FLOW"])
vault = VaultClient()


def connect(who):
    return vault.create_connection("bitwarden", client_id=who["clientId"], client_secret=who["clientSecret"],
                                   master_password=who["masterPassword"], server_url=flow["serverUrl"])


def failure(call):
    try:
        call()
        return None
    except VaultError as e:
        return {"type": type(e).__name__, "status": e.status, "code": e.code, "message": e.message}


connection = connect(flow["first"])
items, _ = vault.list_items(domain="github.com")
sync = vault.sync_items()
run = vault.create_run(url="https://github.com/login", credential_item_ids=[i.item_id for i in items])
credentials = vault.get_run_credentials(run.run_id, run.run_token)
audit, _ = vault.get_run_audit(run.run_id, limit=10)
# A code pushed while wait_for_code waits (from a cursor taken first) wakes it.
_, start = vault.get_run_codes(run.run_id, run.run_token)
threading.Timer(0.3, lambda: vault.push_run_code(run.run_id, "Your verification code is 482913.", from_="noreply@github.com")).start()
code = vault.wait_for_code(run.run_id, run.run_token, after=start, timeout=20) or {}
vault.revoke_run(run.run_id)
print(json.dumps({
    "connected": connection.connected, "connectionId": connection.connection_id, "itemCount": connection.item_count,
    "labels": [i.label for i in items],
    "summary": {"added": sync.summary.added, "updated": sync.summary.updated, "removed": sync.summary.removed},
    "runId": run.run_id, "passwords": [c.password for c in credentials],
    "unauthorized": failure(lambda: VaultClient(api_key="not-a-key").list_connections()),
    "conflict": failure(lambda: connect(flow["third"])),
    "auditEntries": len(audit), "revokedStatus": vault.get_run(run.run_id).status,
    "afterRevoke": failure(lambda: vault.get_run_credentials(run.run_id, run.run_token)),
    "code": {"code": code.get("code"), "channel": code.get("channel"), "from": code.get("from")},
}))
