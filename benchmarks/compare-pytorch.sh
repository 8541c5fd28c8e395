#!/usr/bin/env bash
# Runs Tessera's JMH benchmarks and the same shapes through Debian's python3-torch (2 threads) right after, on the
# same machine, and prints one table: our GFLOP/s, PyTorch's, and the ratio.
#   apt-get install -y python3-torch && benchmarks/compare-pytorch.sh [JMH regex, default GemmBenchmark]
set -euo pipefail
cd "$(dirname "$0")/.."
pattern="${1:-GemmBenchmark}"
java_bin=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-*; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then java_bin="$candidate/bin/java"; break; fi
done
[ -n "$java_bin" ] || { echo "JDK 25 not found: set JAVA_HOME" >&2; exit 1; }
./mvnw -q -B -pl benchmarks -am package -DskipTests
results=$(mktemp)
"$java_bin" --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar "$pattern" -rf csv -rff "$results" >&2
OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 benchmarks/pytorch_reference.py "$results"
