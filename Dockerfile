# One image for every service (gateway and each module's worker run it with a different
# command; see docker-compose.yml).

# -- the dashboard -------------------------------------------------------------------------
FROM node:20-bookworm-slim AS dashboard
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json* ./
RUN if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; \
    elif [ -f package.json ]; then npm install --no-audit --no-fund --loglevel=error; fi
COPY frontend/ ./
# Builds when the dashboard has sources; otherwise an empty dist (the API still works).
RUN if [ -f package.json ]; then npm run build; else mkdir -p dist; fi

# -- the services --------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AUTOBANG_DATA_DIR=/data \
    AUTOBANG_HOST=0.0.0.0 \
    AUTOBANG_PORT=8000
# redis-cli for job injection from inside the container; adb so each container has its own
# ADB server to reach the emulator (host.docker.internal:<mumu_port>, docs/device.md);
# libglib for OpenCV.
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-tools adb libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# CPU-only torch first (PyPI's default build drags in CUDA), then the project.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml ./
COPY shared/ shared/
COPY services/ services/
COPY scripts/ scripts/
RUN pip install -e ".[train]"
COPY --from=dashboard /src/frontend/dist/ frontend/dist/
RUN useradd --create-home --uid 1000 autobang && mkdir -p /data && chown autobang /data
USER autobang
VOLUME ["/data"]
EXPOSE 8000
CMD ["autobang", "gateway"]
