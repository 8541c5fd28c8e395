#!/usr/bin/env bash
# Runs Tessera's JMH benchmarks and the same shapes through Debian's python3-torch (2 threads) right after, on the
# same machine, alternating for a number of rounds, and prints one table: our GFLOP/s, PyTorch's, each round's ratio
# and the median. One VM's speed drifts by 15-20 % over minutes, so a single pair of runs can land either side of 1.0.
#   apt-get install -y python3-torch && benchmarks/compare-pytorch.sh [JMH regex, default GemmBenchmark] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
pattern="${1:-GemmBenchmark}"
rounds="${2:-3}"
java_bin=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-*; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then java_bin="$candidate/bin/java"; break; fi
done
[ -n "$java_bin" ] || { echo "JDK 25 not found: set JAVA_HOME" >&2; exit 1; }
./mvnw -q -B -pl benchmarks -am package -DskipTests
jmh_csv=$(mktemp) measured=$(mktemp)
trap 'rm -f "$jmh_csv" "$measured"' EXIT
for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  "$java_bin" --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar "$pattern" -rf csv -rff "$jmh_csv" >&2
  OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 benchmarks/pytorch_reference.py measure "$jmh_csv" "$measured"
done
/usr/bin/python3 benchmarks/pytorch_reference.py table "$measured"
