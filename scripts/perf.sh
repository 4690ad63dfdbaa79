#!/usr/bin/env bash
# Compares the raindrop exporter with the stock otlp_http exporter on this machine: builds
# the distribution, then runs cmd/perfrun, which feeds each exporter the same load in turn
# and prints CPU per 1,000 interactions, peak RSS and throughput, with the ratios.
#
#   scripts/perf.sh [-rate 5000] [-duration 20s] [-prompt-bytes 2048]   (or: make perf)
#
# The machine's other work shows up in the figures: compare ratios from one run, not
# absolute numbers across runs.
set -euo pipefail
cd "$(dirname "$0")/.."

make build >/dev/null 2>&1 || make build
go build -o _build/perfrun ./cmd/perfrun
exec _build/perfrun -binary _build/otelcol-raindrop "$@"
