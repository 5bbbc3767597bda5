"""What a serving process never needs stays out of it: Alembic (migrations run in a child, or
only when the schema is behind) and svix (only once webhooks are on), 11 MiB resident each."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import bot.__main__, bot.app, bot.server, bot.webhook_endpoint
import bot.store.child_migration, bot.store.sql
loaded = {name: name in sys.modules for name in ("alembic", "svix")}
from bot.webhook_signature import Signatures
Signatures("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
print(json.dumps([loaded, "svix" in sys.modules]))
"""


def test_serving_loads_neither_alembic_nor_svix_until_webhooks_are_on() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == [{"alembic": False, "svix": False}, True]
