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

/** Fused attention at ViT-B shapes: batch 1, 12 heads, d = 64, N tokens; forward and forward+backward. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:G1HeapRegionSize=1m", "-Xmx12g", "-Xms12g", "-XX:+AlwaysPreTouch"})
public class AttentionBenchmark {
  @Param({"197", "1025", "3137"})
  public int n;

  private Tensor q, k, v, upstream;

  @Setup
  public void setup() {
    Generator gen = new Generator(11);
    q = Tensor.randn(gen, 1, 12, n, 64);
    k = Tensor.randn(gen, 1, 12, n, 64);
    v = Tensor.randn(gen, 1, 12, n, 64);
    upstream = Tensor.randn(gen, 1, 12, n, 64);
    Tensor qs = q.narrow(1, 0, 1).narrow(2, 0, Math.min(n, 150)), ks = k.narrow(1, 0, 1), vs = v.narrow(1, 0, 1);
    Checks.agreeWithReference("attention", qs.scaledDotProductAttention(ks, vs),
        qs.to(Device.REFERENCE).scaledDotProductAttention(ks.to(Device.REFERENCE), vs.to(Device.REFERENCE)), 1e-4);
  }

  @Benchmark
  public Tensor forward() {
    return q.scaledDotProductAttention(k, v);
  }

  @Benchmark
  public Tensor forwardBackward() {
    Tensor qg = q.detach().requiresGrad(true), kg = k.detach().requiresGrad(true), vg = v.detach().requiresGrad(true);
    qg.scaledDotProductAttention(kg, vg).backward(upstream);
    return qg.grad();
  }
}
