# syntax=docker/dockerfile:1
# 江津区 企业吹哨·部门报到 platform: one image for web (gunicorn), worker and beat (Celery), and migrate.
# Configured entirely by the environment (see docker-compose.yml): DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS, ...
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1

RUN groupadd --system --gid 10001 jiangjin \
 && useradd --system --uid 10001 --gid jiangjin --home-dir /app --no-create-home --shell /usr/sbin/nologin jiangjin

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .
# The project itself, editable: the code runs from /app, where settings find locale/ and staticfiles/
# (a copy in site-packages would carry neither templates nor catalogues).
RUN pip install --no-deps -e . \
 && python manage.py compile_translations \
 && python manage.py collectstatic --noinput --verbosity 1 \
 && mkdir -p /app/var/media \
 && chown -R jiangjin:jiangjin /app/var

USER jiangjin
EXPOSE 8000

# The web service's health check (bin/healthcheck, GET /healthz) is declared in docker-compose.yml: worker and
# beat run from this image too and serve no HTTP.
CMD ["gunicorn", "jiangjin.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
