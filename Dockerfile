# incident-bot: a small image that runs `incident-bot serve` as a non-root user.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir --no-compile --prefix=/install .

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin bot
COPY --from=build /install /usr/local
USER bot
WORKDIR /home/bot
# JSON logs; in Socket Mode the probes listen on HEALTH_PORT, in HTTP mode on PORT.
ENV PYTHONUNBUFFERED=1 LOG_FORMAT=json PORT=3000 HEALTH_PORT=8080
EXPOSE 3000 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["incident-bot", "healthcheck"]
STOPSIGNAL SIGTERM
CMD ["incident-bot", "serve"]
