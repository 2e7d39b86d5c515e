# One image for every powerlist process (migrate, worker, beat, api); see compose.yaml.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY powerlist ./powerlist
COPY tasks ./tasks
COPY workers ./workers
COPY schedules ./schedules
RUN pip install --no-cache-dir ".[monitoring]" \
    && useradd --create-home --uid 1000 powerlist \
    && mkdir -p /var/lib/powerlist/reports /var/lib/powerlist/beat \
    && chown -R powerlist /var/lib/powerlist
USER powerlist
CMD ["powerlist", "--help"]
