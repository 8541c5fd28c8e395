package org.tessera.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tessera.tensor.Generator;
import org.tessera.tensor.LinearSumAssignment;

/** Hungarian matching at Mask2Former sizes (100 queries × 150 targets) and a square 300×300, uniform random costs. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:G1HeapRegionSize=1m"})
public class AssignmentBenchmark {
  @Param({"100x150", "300x300"})
  public String size;

  private double[] cost;
  private int rows, cols;

  @Setup
  public void setup() {
    String[] rc = size.split("x");
    rows = Integer.parseInt(rc[0]);
    cols = Integer.parseInt(rc[1]);
    Generator gen = new Generator(5);
    cost = new double[rows * cols];
    for (int i = 0; i < cost.length; i++) cost[i] = gen.nextDouble();
  }

  @Benchmark
  public LinearSumAssignment.Result solve() {
    return LinearSumAssignment.solve(cost, rows, cols, false);
  }
}
