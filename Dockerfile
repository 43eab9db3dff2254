# Shomei: Open Badges issuance and verification service.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SHOMEI_DATABASE_URL=sqlite:////var/lib/shomei/shomei.db

WORKDIR /opt/shomei
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
COPY badges ./badges
COPY keys ./keys
COPY migrations ./migrations
RUN pip install -c constraints.txt . \
    && useradd --system --create-home --home-dir /var/lib/shomei --uid 10001 shomei

USER shomei
EXPOSE 8000
CMD ["shomei", "serve", "--host", "0.0.0.0", "--port", "8000"]
