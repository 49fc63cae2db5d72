#!/usr/bin/env python3
"""Prints the cached items of a site as JSON:
    VAULT_URL=… VAULT_API_KEY=… python3 sdk/python/examples/list_items.py --domain github.com
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from vault_client import VaultClient, VaultError  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description="Print the items of a site as JSON (VAULT_URL, VAULT_API_KEY).")
    parser.add_argument("--domain", required=True)
    args = parser.parse_args()
    try:
        items = VaultClient().iter_items(domain=args.domain)
    except VaultError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 1
    print(json.dumps([item.raw for item in items], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
