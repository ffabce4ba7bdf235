#!/usr/bin/env bash
# Install linkwise into .venv and run the demo on the embedded default (no servers).
# Extra arguments go to `linkwise demo`, e.g. ./scripts/demo.sh --people 50000
source "$(dirname "$0")/_env.sh"
.venv/bin/pip install -q -e .
exec .venv/bin/linkwise demo "$@"
