#!/usr/bin/env bash
# Runs the parse benchmark (see benchmarks/README.md): builds the netc jar when it is missing or
# stale (./netc --version does that), compiles the benchmark against it, then generates the
# topologies and measures each in fresh JVMs. Arguments go to `ParseBenchmark run`, e.g.
#   benchmarks/run-parse.sh                       # 1,000, 10,000 and 50,000 containers
#   benchmarks/run-parse.sh --runs 5 10000        # one size, five JVMs
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
"$root/netc" --version >/dev/null
jar="$root/cli/target/netc.jar"
classes="$root/benchmarks/target/classes"
mkdir -p "$classes"
javac -d "$classes" -cp "$jar" "$root/benchmarks/ParseBenchmark.java"
exec java -cp "$jar:$classes" ParseBenchmark run "$@"
