"""Block Kit built once per catalog version, not once per command.

slack_sdk's typed blocks validate and walk every attribute on each `to_dict()`: in a burst of
`/incident declare`, serialising the modal's selects cost more CPU than anything else the bot
did (bench/PROFILE.md). What depends only on the catalog (the severity, type and custom-field
inputs, the fixed radio buttons) is built and serialised once per catalog and then served as
JSON. So is a whole fresh modal (FrozenView): slack_sdk's `View.to_dict()` validates and walks
the view, its title and buttons and its typed text inputs, some 0.2-0.3 ms per command.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from slack_sdk.models.blocks import Block, PlainTextInputElement, PlainTextObject, TextObject
from slack_sdk.models.views import View

from bot.incidentio.models import Catalog

T = TypeVar("T")


class Frozen(Block):
    """A block serialised once; each `to_dict()` hands out a fresh copy of that JSON."""

    def __init__(self, block: Block) -> None:
        super().__init__(type=block.type, block_id=block.block_id)
        self._json = json.dumps(block.to_dict())

    def to_dict(self, *args: Any) -> dict[str, Any]:
        copied: dict[str, Any] = json.loads(self._json)
        return copied


class PerCatalog(Generic[T]):
    """A value derived from a catalog, built once per catalog version. The catalog cache
    replaces its Catalog object when it reloads, so the object's identity is the version."""

    def __init__(self, build: Callable[[Catalog], T]) -> None:
        self._build = build
        self._catalog: weakref.ref[Catalog] | None = None
        self._value: T | None = None

    def __call__(self, catalog: Catalog) -> T:
        if self._value is None or self._catalog is None or self._catalog() is not catalog:
            self._value = self._build(catalog)
            self._catalog = weakref.ref(catalog)
        return self._value


class FrozenModal:
    """A modal's JSON, made by slack_sdk from its typed View once (without private_metadata
    and with empty text inputs): what FrozenView fills in per request."""

    def __init__(self, template: View) -> None:
        self.block_ids = tuple(block.block_id for block in template.blocks or [])
        # Parsed once; each filled view copies only the top level, the blocks list and the
        # blocks it fills, and shares the rest (the selects' option lists): a json.loads of the
        # whole modal per command stood out in py-spy's samples (23.5 us, now 3.0; PROFILE.md).
        # What `filled` returns is serialised by slack_sdk or Bolt, never changed in place.
        self._template: dict[str, Any] = json.loads(json.dumps(template.to_dict()))

    def filled(self, view: View) -> dict[str, Any] | None:
        """`view`'s JSON, if `view` has this modal's blocks; else None."""
        blocks = view.blocks or []
        if tuple(block.block_id for block in blocks) != self.block_ids:
            return None  # blocks were added since (an overflow notice, the sandbox banner)
        meta = view.private_metadata
        if meta is not None and len(meta) > View.private_metadata_max_length:
            return None  # the typed path raises slack_sdk's error, as it always did
        filled = dict(self._template)
        if meta is not None:
            filled["private_metadata"] = meta
        filled["blocks"] = shown = list(filled["blocks"])
        for index, typed in enumerate(blocks):
            element = getattr(typed, "element", None)
            if isinstance(element, PlainTextInputElement) and element.initial_value:
                block = shown[index]
                value = {**block["element"], "initial_value": element.initial_value}
                shown[index] = {**block, "element": value}
        return filled


class FrozenView(View):
    """A modal that differs from its FrozenModal only in what a request puts in it: its
    private_metadata and the initial values of its text inputs (typed here, as every View's).
    `to_dict()` copies the frozen JSON and fills those in; a view whose blocks changed after it
    was built serialises the typed way."""

    def __init__(self, view: View, frozen: FrozenModal) -> None:
        super().__init__(
            type=view.type,
            callback_id=view.callback_id,
            title=_plain(view.title),
            submit=_plain(view.submit),
            close=_plain(view.close),
            blocks=view.blocks,
            private_metadata=view.private_metadata,
        )
        self._frozen = frozen

    def to_dict(self, *args: Any) -> dict[str, Any]:
        filled = self._frozen.filled(self)
        if filled is None:
            typed: dict[str, Any] = super().to_dict(*args)
            return typed
        return filled


def _plain(text: TextObject | None) -> PlainTextObject | None:
    if text is None or isinstance(text, PlainTextObject):
        return text
    raise TypeError(f"a modal's title and buttons are plain text, not {text.type}")
