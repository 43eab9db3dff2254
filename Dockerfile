# Shomei: Open Badges issuance and verification service.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SHOMEI_DATABASE_URL=sqlite:////var/lib/shomei/shomei.db

# The share images of badge pages draw Japanese text: Noto Sans CJK.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/shomei
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
COPY badges ./badges
COPY keys ./keys
COPY migrations ./migrations
RUN pip install -c constraints.txt . \
    && groupadd --system --gid 10001 shomei \
    && useradd --system --create-home --home-dir /var/lib/shomei --uid 10001 --gid 10001 shomei

# Never root: the service, its migrations and its health check run as this user (numeric, so
# a runtime can check it is not root without reading /etc/passwd).
USER 10001:10001
EXPOSE 8000

# The image has no curl: ask /healthz with the Python it already carries.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]

# One container on its own migrates first (under a lock on PostgreSQL). Several replicas run
# `shomei migrate` as a step of its own and serve without --migrate (see compose.yaml).
CMD ["shomei", "serve", "--host", "0.0.0.0", "--port", "8000", "--migrate"]
