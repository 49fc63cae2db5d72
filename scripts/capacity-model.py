#!/usr/bin/env python3
"""The arithmetic of docs/capacity.md: storage operations, Key Vault reads, executions and cost per account.

Nothing here is measured; every count comes from reading the code (see the doc's tables). Change an assumption and
run it again: python3 scripts/capacity-model.py
"""
import math

# East US list prices (USD) as used in docs/capacity.md; re-check them in the pricing calculator.
PRICE = dict(table_tx=0.00036 / 1e4, table_gb=0.045, queue_op=0.05 / 1e4, kv_op=0.03 / 1e4, gbs=0.000026, execs=0.40 / 1e6, log_gb=2.30)
PEAK = 3            # busiest hour / average hour
TARGET = 20_000     # storage account: transactions (1 KiB entities) per second
KV_GETS = 400       # Key Vault: 4,000 secret transactions per 10 s
HEADROOM = 0.5      # plan at half the target
BITWARDEN_SHARE = 0.5   # assumed share of connections that are Bitwarden (cloud); the rest 1Password
INSTANCES = 2       # instances that serve an account's runs in a day (early-resync checks are per instance)
EGRESS_SHARE = 8    # Vault__Resync__BitwardenSyncsPerMinutePerEgressAddress


def account(C, I, doms, resyncs, changed, changed_items, runs, reads, domain_reads, list_pages, active_minutes, kv_per_run):
    rows = 2 + doms                                                   # id, ord, one dom row per domain
    calls = runs + runs * reads + domain_reads + list_pages
    early_checks = C * 4 * INSTANCES                                  # a run's read checks each connection once an interval per instance
    out = {
        # first call in an account-minute on an instance ≈ 15.5 (rate block, counter read, rollup polls, step, clean-up),
        # ≤ 72 a day of hourly rollup steps, then ≈ 1.5 per call (its transaction, API-key reads)
        "metering": (active_minutes * 15.5 + 72 + calls * 1.5, active_minutes * 15.5 + calls + 72 + calls * 2.5),
        "runs + credential reads": (runs * 5 + runs * reads * 11 + early_checks, runs * 11 + runs * reads * 13 + early_checks),
        # a list page reads the first page (2 x ceil(101 / 8) = 26 rows) of each of the 8 bucket queries, + the stamp
        "item reads and list pages": (domain_reads * 9 + list_pages * 9, domain_reads * 11 + list_pages * (8 * 26 + 1)),
    }
    rs = C * resyncs
    # connection read, tenant budget (2), lease (3), re-reads (2), connection write = 9; the due-index entry moved on that
    # write (put + remove, 2) and removed by the timer when it enqueued (1); a Bitwarden resync also takes the egress
    # budget (read + write, 2). Entities: the same, + the entry row the timer's range query returned.
    base = 9 + 2 + 1 + 2 * BITWARDEN_SHARE
    unchanged = (base + 3, base + 1)                                  # + 3 queue requests (put, get, delete)
    changed_cost = (base + 8 + math.ceil(changed_items) + 1 + 3, base + 1 + I + changed_items * rows + 1)
    out["resyncs"] = tuple(rs * ((1 - changed) * u + changed * c) for u, c in zip(unchanged, changed_cost))
    req = sum(v[0] for v in out.values())
    ent = sum(v[1] for v in out.values())
    return dict(parts=out, req=req, ent=ent, queue=rs * 3, kv=rs + runs * kv_per_run, execs=calls + rs, calls=calls, rs=rs,
                item_gb=C * I * rows * 1e3 / 1e9, history_gb=(runs * 30 * (0.5 + 3 * 0.3 + 3.6 * 0.15) + runs * reads * 30 * 0.3) / 1e6)


typical = account(C=1.5, I=300, doms=1.2, resyncs=3.5, changed=0.2, changed_items=3, runs=20, reads=3, domain_reads=36, list_pages=4,
                  active_minutes=40, kv_per_run=0.5)
heavy = account(C=2, I=5000, doms=1.2, resyncs=3.5, changed=0.5, changed_items=20, runs=200, reads=5, domain_reads=570, list_pages=30,
                active_minutes=600, kv_per_run=0.2)
HEAVY_SHARE = 0.1
mix = {k: (1 - HEAVY_SHARE) * typical[k] + HEAVY_SHARE * heavy[k] for k in typical if k != "parts"}

for name, a in (("typical", typical), ("heavy", heavy), ("mix", mix)):
    print(f"== {name}: {a['calls']:.0f} calls, {a['rs']:.2f} resyncs a day")
    for part, (r, e) in a.get("parts", {}).items():
        print(f"   {part:26s} {r:8.0f} req {e:8.0f} ent")
    peak_ent = a["ent"] / 86400 * PEAK
    peak_kv = a["kv"] / 86400 * PEAK
    print(f"   total {a['req']:.0f} req, {a['ent']:.0f} ent, {a['queue']:.1f} queue, {a['kv']:.1f} KV GETs, {a['execs']:.0f} executions a day")
    print(f"   accounts per cell: storage {TARGET / peak_ent:,.0f} at 100%, {TARGET * HEADROOM / peak_ent:,.0f} at {HEADROOM:.0%};"
          f" Key Vault {KV_GETS / peak_kv:,.0f} at 100%")
    month = 30 * 1000                                                 # account-days in a month of 1,000 accounts
    gbs = (a["calls"] * 0.05 / 4 + a["rs"] * 0.1 / 4) * month * 2     # 50 ms a call, 100 ms a resync, 4 overlapping, 2 GB
    cost = {
        "table transactions": a["req"] * month * PRICE["table_tx"],
        "table capacity (items)": a["item_gb"] * 1000 * PRICE["table_gb"],
        "queue operations": a["queue"] * month * PRICE["queue_op"],
        "Key Vault": a["kv"] * month * PRICE["kv_op"],
        "executions": a["execs"] * month * PRICE["execs"],
        "execution time": gbs * PRICE["gbs"],
        "logs before (3.2 KB a call)": a["execs"] * month * 3.2e3 / 1e9 * PRICE["log_gb"],
        "logs after, unsampled (1 KB)": a["execs"] * month * 1.0e3 / 1e9 * PRICE["log_gb"],
    }
    print("   per 1,000 accounts a month: " + ", ".join(f"{k} ${v:.2f}" for k, v in cost.items()))
    print(f"   history kept: {a['history_gb'] * 1000:.1f} GB more each month")

cell = math.floor(TARGET * HEADROOM / (mix["ent"] / 86400 * PEAK) / 1000) * 1000
connections = cell * (0.9 * 1.5 + 0.1 * 2)
per_address = EGRESS_SHARE * 60 * 24 / 4                               # resyncs a day per egress address / 4 resyncs a day
print(f"== cell of {cell:,} accounts: {connections:,.0f} connections, {cell * mix['rs']:,.0f} resyncs a day;"
      f" Bitwarden cloud at {BITWARDEN_SHARE:.0%}: {connections * BITWARDEN_SHARE:,.0f} connections,"
      f" {per_address:,.0f} per egress address, so {math.ceil(connections * BITWARDEN_SHARE / per_address)} addresses")
