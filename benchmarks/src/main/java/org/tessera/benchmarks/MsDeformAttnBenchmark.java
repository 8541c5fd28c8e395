package org.tessera.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * Fused multi-scale deformable attention at the ViT-Adapter size of a 720×720 input: N = 1, levels 90², 45², 23²
 * (Lq = S = 10654), 8 heads, D = 32, 4 points. Forward, and forward+backward (value, locations, weights).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:G1HeapRegionSize=1m", "-Xmx8g", "-Xms8g", "-XX:+AlwaysPreTouch"})
public class MsDeformAttnBenchmark {
  static final int[][] LEVELS = {{90, 90}, {45, 45}, {23, 23}};
  private Tensor value, shapes, starts, locations, weights, upstream;

  @Setup
  public void setup() {
    Generator gen = new Generator(3);
    int s = 90 * 90 + 45 * 45 + 23 * 23;
    value = Tensor.randn(gen, 1, s, 8, 32);
    shapes = Tensor.of(new long[] {90, 90, 45, 45, 23, 23}, 3, 2);
    starts = Tensor.of(new long[] {0, 8100, 8100 + 2025}, 3);
    locations = Tensor.rand(gen, 1, s, 8, 3, 4, 2);
    weights = Tensor.rand(gen, 1, s, 8, 3, 4).softmax(-1);
    upstream = Tensor.randn(gen, 1, s, 8 * 32);
    Tensor loc = locations.narrow(1, 0, 300), w = weights.narrow(1, 0, 300);
    Checks.agreeWithReference("ms_deform_attn", value.msDeformAttn(shapes, starts, loc, w),
        value.to(Device.REFERENCE).msDeformAttn(shapes, starts, loc.to(Device.REFERENCE), w.to(Device.REFERENCE)), 1e-4);
  }

  @Benchmark
  public Tensor forward() {
    return value.msDeformAttn(shapes, starts, locations, weights);
  }

  @Benchmark
  public Tensor forwardBackward() {
    Tensor v = value.detach().requiresGrad(true), l = locations.detach().requiresGrad(true), w = weights.detach().requiresGrad(true);
    v.msDeformAttn(shapes, starts, l, w).backward(upstream);
    return v.grad();
  }
}
