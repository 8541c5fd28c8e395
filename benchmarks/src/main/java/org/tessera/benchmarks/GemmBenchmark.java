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
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * Square F32 C = A·B on the CPU backend with its default threads. GFLOP/s = 2n³ / time; the score is in ms per op.
 * {@code @Setup} checks the kernel against the reference backend before anything is timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:G1HeapRegionSize=1m", "-Xmx8g", "-Xms8g", "-XX:+AlwaysPreTouch"})
public class GemmBenchmark {
  @Param({"256", "1024", "2048"})
  public int n;

  private Tensor a, b;

  @Setup
  public void setup() {
    Generator gen = new Generator(42);
    a = Tensor.randn(gen, n, n);
    b = Tensor.randn(gen, n, n);
    Checks.agreeWithReference("sgemm", a.narrow(0, 0, Math.min(n, 130)).matmul(b), a.narrow(0, 0, Math.min(n, 130)).to(Device.REFERENCE).matmul(b.to(Device.REFERENCE)), 1e-4);
  }

  @Benchmark
  public Tensor sgemm() {
    return a.matmul(b);
  }
}
