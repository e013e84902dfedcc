# WISPGate Portal BFF (+ the built web portal). Stateless: run N replicas behind a load balancer with REDIS_URL.
# Build: docker build -t wispgate-portal .   Run: docker run -p 8000:8000 --env-file portal.env wispgate-portal

FROM node:20-bookworm-slim AS web
WORKDIR /src
COPY schema/schema.graphql schema/schema.graphql
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web web
RUN cd web && npm run build

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 WISPGATE_ENV=production WEB_DIST=/app/web/dist
WORKDIR /app
COPY pyproject.toml README.md ./
COPY adapters adapters
COPY bff bff
COPY schema schema
COPY sandbox sandbox
RUN pip install --no-cache-dir . && useradd --system --uid 10001 wispgate
COPY --from=web /src/web/dist /app/web/dist
USER wispgate
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status==200 else 1)"
CMD ["wispgate", "serve", "--host", "0.0.0.0", "--port", "8000"]
