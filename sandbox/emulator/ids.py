"""ULID-style identifiers: 26 characters of Crockford base32, time-ordered."""

from __future__ import annotations

import random

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80


class UlidFactory:
    """Monotonic ULIDs: within one millisecond (or when the clock steps back) the random part is
    incremented, so ids always sort in creation order, as cursor pagination relies on."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self._last = -1

    def new(self, seconds: float) -> str:
        millis = int(seconds * 1000)
        value = (millis << _RANDOM_BITS) | self._rng.getrandbits(_RANDOM_BITS)
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return encode(value)


def encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
