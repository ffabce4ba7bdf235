#!/usr/bin/env bash
# Install linkwise into .venv, build the demo on the embedded default (no database server)
# and serve it in the browser at http://127.0.0.1:8000 (Ctrl-C stops; --no-serve skips it).
# Extra arguments go to `linkwise demo`, e.g. ./scripts/demo.sh --people 50000
source "$(dirname "$0")/_env.sh"
.venv/bin/pip install -q -e .
exec .venv/bin/linkwise demo "$@"
