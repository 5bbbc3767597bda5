"""The incident.io adapter: client, models, errors and caches. Knows nothing of Slack."""

from bot.incidentio.cache import SingleFlightCache
from bot.incidentio.catalog import CatalogCache, OpenIncidentsCache
from bot.incidentio.client import ApiCall, IncidentIoClient, UnexpectedResponseError
from bot.incidentio.ratelimit import TokenBucket

__all__ = [
    "ApiCall",
    "CatalogCache",
    "IncidentIoClient",
    "OpenIncidentsCache",
    "SingleFlightCache",
    "TokenBucket",
    "UnexpectedResponseError",
]
