# incident-bot: a small image that runs `incident-bot serve` as a non-root user.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir --no-compile --prefix=/install .

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin bot \
 && mkdir /data && chown bot:bot /data
COPY --from=build /install /usr/local
USER bot
WORKDIR /home/bot
# JSON logs; in Socket Mode the probes listen on HEALTH_PORT, in HTTP mode on PORT.
# The store's SQLite file lives in /data (the image's user owns it): mount a volume there to keep
# the incident cards across restarts, or set DATABASE_URL to a PostgreSQL for several replicas.
ENV PYTHONUNBUFFERED=1 LOG_FORMAT=json PORT=3000 HEALTH_PORT=8080 INCIDENT_BOT_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 3000 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["incident-bot", "healthcheck"]
STOPSIGNAL SIGTERM
CMD ["incident-bot", "serve"]
