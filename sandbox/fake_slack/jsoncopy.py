"""Copying what the fake Slack was sent and answers: JSON documents, copied as JSON."""

from __future__ import annotations

import json
from typing import TypeVar

T = TypeVar("T")


def json_copy(document: T) -> T:
    """A deep copy of a JSON document (dicts, lists, strings, numbers, booleans, None).

    Everything the fake keeps arrived as JSON and leaves as JSON; a round trip through the json
    module's C code copies it several times faster than `copy.deepcopy`, which was a third of the
    fake's CPU per `views.open` (three copies of the whole view)."""
    copied: T = json.loads(json.dumps(document))
    return copied
