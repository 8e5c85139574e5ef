# The Teams bot as a container image (Azure Container Apps, App Service for Containers, or any host).
# Build:  docker build -t kraenkelser-bot .
# Run:    docker run --env-file .env -p 3978:3978 kraenkelser-bot
# The image holds only the runtime: no tests, no test or lint tools, no .env, no data, no secrets.
# Settings come from environment variables at run time (names in .env.example).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# An unprivileged user with a fixed uid, so volume permissions are predictable.
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --create-home --home-dir /home/bot --shell /usr/sbin/nologin bot

WORKDIR /app

# Runtime dependencies only, pinned (the test and lint dependencies are never copied or installed).
COPY requirements.txt constraints.txt ./
RUN python -m pip install --no-cache-dir -r requirements.txt -c constraints.txt

# The bot's code (the same list as deployment/build_webapp.py). Owned by root: the bot cannot change it.
COPY app.py ./
COPY bot/ ./bot/
COPY dialogs/ ./dialogs/
COPY cards/ ./cards/

# Local-folder storage, used only when no Azure Storage is configured.
RUN mkdir -p /data && chown bot:bot /data

USER bot

ENV PORT=3978 \
    DATA_DIR=/data
EXPOSE 3978

# /healthz answers 200 when the app is up. Uses the standard library: no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3978') + '/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

CMD ["python", "app.py"]
