package org.tessera.benchmarks;

import java.util.List;
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
import org.tessera.autograd.GradMode;
import org.tessera.models.vit.VisionTransformer;
import org.tessera.models.vit.VitConfig;
import org.tessera.nn.optim.Adam;
import org.tessera.nn.optim.Optimizer;
import org.tessera.nn.optim.ParamGroup;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * DINOv3 ViT-S/16 and ViT-B/16 at batch 8, 224×224: inference forward (no grad) and one training step (forward,
 * backward of the mean of the final tokens, AdamW). Images/s = 8 / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:G1HeapRegionSize=1m", "-Xmx16g", "-Xms16g", "-XX:+AlwaysPreTouch"})
public class VitBenchmark {
  @Param({"small", "base"})
  public String size;

  private VisionTransformer vit;
  private Optimizer opt;
  private Tensor images;

  @Setup
  public void setup() {
    vit = new VisionTransformer(VitConfig.dinov3(size), 0);
    opt = Adam.adamW(List.of(new ParamGroup(vit.parameters(), 1e-4, 0.05)));
    images = Tensor.randn(new Generator(1), 8, 3, 224, 224);
  }

  @Benchmark
  public Tensor forward() {
    try (var scope = GradMode.noGrad()) {
      return vit.forwardFeatures(images);
    }
  }

  @Benchmark
  public Tensor trainStep() {
    opt.zeroGrad();
    Tensor loss = vit.forwardFeatures(images).mean();
    loss.backward();
    opt.step();
    return loss;
  }
}
