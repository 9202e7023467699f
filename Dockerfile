# The Telegram bot: `docker run -e BOT_TOKEN=... ihlbot`.
# Mount your own corpus over the shipped one with `-v "$PWD/my-corpus:/app/seeds:ro"` and
# keep state (More-sources buttons) across restarts with `-v ihlbot-data:/data`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY corpus ./corpus
COPY retrieval ./retrieval
COPY bot ./bot
COPY seeds ./seeds
RUN pip install . \
    && useradd --create-home --uid 10001 ihlbot \
    && mkdir -p /data \
    && chown ihlbot:ihlbot /data

USER ihlbot
ENV BOT_CORPUS_DIR=/app/seeds \
    BOT_DATA_DIR=/data
VOLUME ["/data"]

CMD ["python", "-m", "bot"]
