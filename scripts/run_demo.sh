#!/usr/bin/env bash
# `make run`: migrate, load the demo clinic and serve it with gunicorn, DEBUG off.
# The relaxed settings for plain HTTP on loopback are in demo.env; secrets are generated once
# into .demo/ (never committed) and read through the *_FILE variables.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}
WORKERS=${WORKERS:-3}

set -a
# shellcheck disable=SC1091
. ./demo.env
set +a

if [ -z "${DJANGO_SECRET_KEY_FILE:-}" ]; then
  umask 077
  mkdir -p .demo
  [ -s .demo/secret_key ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > .demo/secret_key
  export DJANGO_SECRET_KEY_FILE="$PWD/.demo/secret_key"
  umask 022
fi

"$PY" manage.py migrate --noinput
"$PY" manage.py seed_demo
"$PY" manage.py collectstatic --noinput -v 0

cat <<MSG

Kinetic Chart is running at http://127.0.0.1:$PORT
Demo logins (password for all: kinetic-demo):
  admin       clinic admin
  therapist   therapist
  therapist2  therapist
Press Ctrl-C to stop. For development (DEBUG on, auto-reload): make dev

MSG
exec .venv/bin/gunicorn clinic.wsgi:application \
  --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 60 \
  --access-logfile - --log-level warning
