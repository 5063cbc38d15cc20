#!/usr/bin/env bash
# Runs the apply benchmark (see benchmarks/README.md) as root: netc apply of 100 to 1,000
# containers against a hand-written ip -batch + nft -f script and one ip process per operation,
# the no-op apply, a policy change in a table of 100,000 set elements, the rule count, and the
# connection rate through the policy sets against a linear chain. Builds the jar when needed.
# Every sandbox it makes (a random prefix abXXXX) is removed at the end, also on failure.
# Arguments go to ApplyBenchmark: [--runs R] [--sizes 100,200,500,1000] [--only apply,table,rules,rate]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
if [ "$(id -u)" -ne 0 ]; then
  echo "run-apply.sh: needs root (it creates network namespaces)" >&2
  exit 1
fi
missing=()
command -v nft >/dev/null || missing+=(nftables)
command -v nc >/dev/null || missing+=(netcat-openbsd)
command -v ip >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
"$root/netc" --version >/dev/null
jar="$root/cli/target/netc.jar"
classes="$root/benchmarks/target/classes"
mkdir -p "$classes"
javac -d "$classes" "$root/benchmarks/ApplyBenchmark.java"
prefix="$(printf 'ab%04x' $((RANDOM % 65536)))"
cleanup() {
  for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}s" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf /etc/netns/"${prefix}"s* /run/netc/"${prefix}"s* 2>/dev/null || true
}
trap cleanup EXIT INT TERM
cd "$root"
java -Dapply.prefix="$prefix" -cp "$classes" ApplyBenchmark "$@"
