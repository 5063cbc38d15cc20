#!/usr/bin/env bash
# Runs the analysis benchmark (see benchmarks/README.md): lint of 10,000 containers, 1,000
# networks and 2,000 policies, and the matrix of 1,000 endpoints x 5 ports, each in fresh netc
# processes. Builds the jar first when needed. Arguments: [--runs R] [--dir DIR].
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
"$root/netc" --version >/dev/null
cd "$root"
exec java -cp "$root/cli/target/netc.jar" "$root/benchmarks/AnalysisBenchmark.java" "$@"
