"""Small readers shared by the end-to-end tests."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from sandbox.fake_slack import FakeSlack


def text_of(view_or_message: dict[str, Any]) -> str:
    """All the text a person would read in a view or message (blocks and fallback text)."""
    out = [str(view_or_message.get("text", ""))]
    title = view_or_message.get("title")
    if isinstance(title, dict):
        out.append(str(title.get("text", "")))
    for block in view_or_message.get("blocks", []) or []:
        text = block.get("text")
        if isinstance(text, dict):
            out.append(str(text.get("text", "")))
        for item in block.get("fields", []) or []:
            out.append(str(item.get("text", "")))
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and "text" in element:
                inner = element["text"]
                out.append(str(inner.get("text", "")) if isinstance(inner, dict) else str(inner))
    return "\n".join(out)


def replies(fake: FakeSlack) -> list[str]:
    """What the bot told people outside modals (response_url posts, ephemeral messages)."""
    return [text_of(call.args) for call in fake.messages()]


def input_element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    element: dict[str, Any] = block["element"]
    return element


def metric_samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Prometheus exposition text -> {(sample name, labels): value}."""
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def metric(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def shown(fake: FakeSlack, view_id: str) -> dict[str, Any]:
    """The modal the person ends up seeing.

    The bot calls views.update only after its ack, but over sockets the driver may apply that
    ack to the fake after the update arrived (real Slack orders them). So the last successful
    views.update wins; without one, the view as the ack left it.
    """
    updates = [
        call
        for call in list(fake.calls)
        if call.method == "views.update"
        and call.error is None
        and call.args.get("view_id") == view_id
    ]
    if updates:
        view: dict[str, Any] = updates[-1].args["view"]
        return view
    return fake.current_view(view_id)
