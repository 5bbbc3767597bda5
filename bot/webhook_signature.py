"""incident.io's webhook signatures, checked by svix's own library, loaded only when webhooks are
on: svix imports its whole API client with it, some 11 MiB resident in a process that, without
INCIDENTIO_WEBHOOK_SECRET, never verifies a delivery (bench/PROFILE.md)."""

from __future__ import annotations


class Signatures:
    """Verifies deliveries signed with one secret."""

    def __init__(self, secret: str) -> None:
        from svix.webhooks import Webhook, WebhookVerificationError

        self._webhook = Webhook(secret)
        # ValueError: a malformed signature header, or a body that is not UTF-8.
        self._refusals: tuple[type[Exception], ...] = (WebhookVerificationError, ValueError)

    def refusal(self, body: bytes, headers: dict[str, str]) -> str | None:
        """Why the delivery does not verify; None when it does."""
        try:
            self._webhook.verify(body, headers)
        except self._refusals as error:
            return str(error) or type(error).__name__
        return None
