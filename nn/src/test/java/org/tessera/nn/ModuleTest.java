package org.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tessera.tensor.Tensor;

/** State-dict names and order, loading, modes, freezing and LoRA, against what PyTorch would do. */
class ModuleTest {
  /** A small timm-like block: norm1, attn (qkv, proj), norm2, mlp (fc1, fc2), plus a BatchNorm head. */
  static final class Block extends Module {
    final LayerNorm norm1 = register("norm1", new LayerNorm(8, 1e-6));
    final Attention attn = register("attn", new Attention(8, 2, true));
    final LayerNorm norm2 = register("norm2", new LayerNorm(8, 1e-6));
    final Mlp mlp = register("mlp", new Mlp(8, 16, 8, Activation.gelu(), 0));
    final ModuleList<Conv2d> convs = register("convs", new ModuleList<Conv2d>().add(new Conv2d(8, 4, 3, 1, 1, false)));
    final BatchNorm2d bn = register("bn", new BatchNorm2d(4));

    Tensor forward(Tensor x) {
      x = x.add(attn.forward(norm1.forward(x)));
      return x.add(mlp.forward(norm2.forward(x)));
    }
  }

  @Test
  void stateDictUsesPyTorchNamesInPyTorchOrder() {
    Map<String, Tensor> sd = new Block().stateDict();
    assertEquals(List.of("norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias", "norm2.weight",
        "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias", "convs.0.weight", "bn.weight", "bn.bias", "bn.running_mean",
        "bn.running_var", "bn.num_batches_tracked"), List.copyOf(sd.keySet()));
    assertArrayEquals(new int[] {24, 8}, sd.get("attn.qkv.weight").shape());
    assertArrayEquals(new int[] {4, 8, 3, 3}, sd.get("convs.0.weight").shape());
  }

  @Test
  void loadingCopiesIntoTheSameTensorsAndReportsEveryProblem() {
    Block a = new Block(), b = new Block();
    Tensor weightBefore = b.attn.qkv.weight;
    b.loadStateDict(a.stateDict(), true);
    assertSame(weightBefore, b.attn.qkv.weight);
    assertArrayEquals(a.attn.qkv.weight.toFloatArray(), b.attn.qkv.weight.toFloatArray());

    Map<String, Tensor> broken = new java.util.LinkedHashMap<>(a.stateDict());
    broken.remove("norm1.bias");
    broken.put("head.weight", Tensor.zeros(2));
    broken.put("mlp.fc1.weight", Tensor.zeros(3, 3));
    Module.LoadResult r = b.loadStateDict(broken, false);
    assertEquals(List.of("norm1.bias"), r.missingKeys());
    assertEquals(List.of("head.weight"), r.unexpectedKeys());
    assertEquals(List.of("mlp.fc1.weight: checkpoint [3, 3], model [16, 8]"), r.shapeMismatches());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Block().loadStateDict(broken, true));
    assertTrue(e.getMessage().contains("missing keys [norm1.bias]") && e.getMessage().contains("unexpected keys [head.weight]"), e.getMessage());
  }

  @Test
  void trainEvalFreezingAndCounts() {
    Block m = new Block();
    m.eval();
    assertFalse(m.mlp.fc1.isTraining());
    m.train(true);
    assertTrue(m.bn.isTraining());
    long total = m.parameterCount(false);
    assertEquals(8 + 8 + 24 * 8 + 24 + 64 + 8 + 8 + 8 + 16 * 8 + 16 + 8 * 16 + 8 + 4 * 8 * 9 + 4 + 4, total);
    m.attn.requiresGrad(false);
    assertEquals(total - (24 * 8 + 24 + 64 + 8), m.parameterCount(true));
    assertTrue(m.summary(true).contains("attn"), m.summary(true));
  }

  @Test
  void batchNormUpdatesRunningStatisticsOnlyWhenTraining() {
    BatchNorm2d bn = new BatchNorm2d(2);
    Tensor x = Tensor.randn(new org.tessera.tensor.Generator(1), 4, 2, 3, 3).add(5);
    bn.forward(x);
    assertEquals(1, bn.numBatchesTracked.itemLong());
    assertTrue(bn.runningMean.toFloatArray()[0] > 0.3); // moved 10 % of the way towards ~5
    float[] before = bn.runningMean.toFloatArray();
    bn.eval();
    bn.forward(x);
    assertArrayEquals(before, bn.runningMean.toFloatArray());
  }

  @Test
  void loraFollowsPeftNamesStartsAsTheBaseAndMerges() {
    Block m = new Block();
    Tensor x = Tensor.randn(new org.tessera.tensor.Generator(2), 1, 5, 8);
    float[] before = m.forward(x).toFloatArray();
    assertEquals(List.of("attn.qkv"), Lora.apply(m, ".*qkv", 4, 8, 0.0));
    Map<String, Tensor> sd = m.stateDict();
    assertTrue(sd.containsKey("attn.qkv.base_layer.weight") && sd.containsKey("attn.qkv.base_layer.bias"), sd.keySet().toString());
    assertArrayEquals(new int[] {4, 8}, sd.get("attn.qkv.lora_A.default.weight").shape());
    assertArrayEquals(new int[] {24, 4}, sd.get("attn.qkv.lora_B.default.weight").shape());
    assertFalse(sd.get("attn.qkv.base_layer.weight").requiresGrad());
    assertArrayEquals(before, m.forward(x).toFloatArray(), 1e-6f); // B starts at zero
    Init.normal(m.attn.qkv.stateDict().get("lora_B.default.weight"), 0, 0.5, Rng.generator());
    float[] adapted = m.forward(x).toFloatArray();
    Lora.merge(m);
    assertArrayEquals(adapted, m.forward(x).toFloatArray(), 1e-5f);
  }

  @Test
  void initialisationFollowsTorch() {
    Linear l = new Linear(50, 40, true);
    double bound = 1 / Math.sqrt(50);
    for (float v : l.weight.toFloatArray()) assertTrue(Math.abs(v) <= bound);
    Tensor t = Tensor.zeros(1000);
    Init.truncNormal(t, 0, 1, -2, 2, Rng.generator());
    for (float v : t.toFloatArray()) assertTrue(v >= -2 && v <= 2);
    assertArrayEquals(new int[] {3 * 9, 8 * 9}, Init.fans(Tensor.zeros(8, 3, 3, 3)));
  }
}
