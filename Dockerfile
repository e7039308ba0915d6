# Samskap app image: one process; scale by running several behind a load balancer.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SAMSKAP_HOST=0.0.0.0 SAMSKAP_PORT=8000 SAMSKAP_DATA_DIR=/data
WORKDIR /app
# Exactly the locked runtime versions (hashed), then the app itself without resolving again.
COPY requirements-runtime.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements-runtime.lock
COPY pyproject.toml README.md ./
COPY server ./server
COPY web ./web
COPY workshop_templates ./workshop_templates
RUN pip install --no-cache-dir --no-deps -e . && pip check \
    && useradd --system --home /data samskap && mkdir -p /data && chown samskap /data
USER samskap
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["samskap", "serve"]
