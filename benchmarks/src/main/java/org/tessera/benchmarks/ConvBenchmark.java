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
 * Convolutions at the shapes of our models (F32, CPU backend, default threads): a ResNet-style 3×3 64→64 on
 * (8,64,56,56), the ViT patch embedding 16×16/16 on (8,3,224,224), Primus' transposed 2×2/2 (8,256,28,28)→128, and
 * a DPT fusion 3×3 256→256 on (1,256,56,56). Forward, and forward+backward (input, weight and bias gradients).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:G1HeapRegionSize=1m", "-Xmx12g", "-Xms12g", "-XX:+AlwaysPreTouch"})
public class ConvBenchmark {
  @Param({"conv3x3", "patchEmbed", "primusConvT", "dptFusion"})
  public String shape;

  private Tensor x, w, b, upstream;
  private boolean transposed;
  private int stride, padding;

  @Setup
  public void setup() {
    Generator gen = new Generator(7);
    switch (shape) {
      case "conv3x3" -> init(gen, new int[] {8, 64, 56, 56}, new int[] {64, 64, 3, 3}, 64, false, 1, 1);
      case "patchEmbed" -> init(gen, new int[] {8, 3, 224, 224}, new int[] {768, 3, 16, 16}, 768, false, 16, 0);
      case "primusConvT" -> init(gen, new int[] {8, 256, 28, 28}, new int[] {256, 128, 2, 2}, 128, true, 2, 0);
      case "dptFusion" -> init(gen, new int[] {1, 256, 56, 56}, new int[] {256, 256, 3, 3}, 256, false, 1, 1);
      default -> throw new IllegalArgumentException(shape);
    }
    upstream = Tensor.randn(gen, forward().shape());
    Tensor small = x.narrow(0, 0, 1).narrow(2, 0, Math.min(x.size(2), 32)).narrow(3, 0, Math.min(x.size(3), 32));
    Checks.agreeWithReference(shape, conv(small, w, b), conv(small.to(Device.REFERENCE), w.to(Device.REFERENCE), b.to(Device.REFERENCE)), 1e-4);
  }

  private void init(Generator gen, int[] xs, int[] ws, int cout, boolean transposed, int stride, int padding) {
    x = Tensor.randn(gen, xs);
    w = Tensor.randn(gen, ws).mul(0.05);
    b = Tensor.randn(gen, cout);
    this.transposed = transposed;
    this.stride = stride;
    this.padding = padding;
  }

  private Tensor conv(Tensor x, Tensor w, Tensor b) {
    int[] s = {stride}, p = {padding}, one = {1};
    return transposed ? x.convTranspose2d(w, b, s, p, new int[] {0}, one, 1) : x.conv2d(w, b, s, p, one, 1);
  }

  @Benchmark
  public Tensor forward() {
    return conv(x, w, b);
  }

  @Benchmark
  public Tensor forwardBackward() {
    Tensor xg = x.detach().requiresGrad(true), wg = w.detach().requiresGrad(true), bg = b.detach().requiresGrad(true);
    conv(xg, wg, bg).backward(upstream);
    return wg.grad();
  }
}
