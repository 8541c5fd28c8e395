#!/usr/bin/env bash
# Runs each of Tessera's JMH benchmarks (every combination of its params on its own) and the same shape through
# Debian's python3-torch (2 threads) right after it, on the same machine, for a number of rounds, and prints one
# table: our GFLOP/s, PyTorch's, each round's ratio and the median. Our VMs' speed drifts by up to 1.7x over minutes;
# running each pair back to back keeps the two sides of a ratio seconds apart, where a whole JMH run before a whole
# PyTorch run put them minutes apart.
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
jmh_csv=$(mktemp) measured=$(mktemp) pairs=$(mktemp)
trap 'rm -f "$jmh_csv" "$measured" "$pairs"' EXIT
"$java_bin" --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar -lp "$pattern" 2>/dev/null \
  | /usr/bin/python3 benchmarks/pytorch_reference.py pairs > "$pairs"
[ -s "$pairs" ] || { echo "no benchmark matches $pattern" >&2; exit 1; }
for round in $(seq "$rounds"); do
  while read -r name params; do
    echo "round $round of $rounds: $name $params" >&2
    # $params unquoted: it is zero or more "-p name=value" options
    "$java_bin" --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar "^${name//./\\.}\$" $params -rf csv -rff "$jmh_csv" \
      < /dev/null >&2
    OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 benchmarks/pytorch_reference.py measure "$jmh_csv" "$measured" < /dev/null
  done < "$pairs"
done
/usr/bin/python3 benchmarks/pytorch_reference.py table "$measured"
