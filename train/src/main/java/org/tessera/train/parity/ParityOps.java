package org.tessera.train.parity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.tessera.nn.Losses;
import org.tessera.tensor.DType;
import org.tessera.tensor.GridPadding;
import org.tessera.tensor.Indexed;
import org.tessera.tensor.InterpolationMode;
import org.tessera.tensor.PadMode;
import org.tessera.tensor.Tensor;

/**
 * The fixture vocabulary of {@code shared/spec/fixtures.md}: each op name (PyTorch's) with its keyword parameters,
 * mapped to Tessera calls. Inputs are {@code in.<name>} without the prefix; outputs are named as in the fixture.
 */
final class ParityOps {
  private ParityOps() {}

  /** One op: inputs and parameters in, named outputs out. */
  @FunctionalInterface
  interface Op {
    Map<String, Tensor> run(Map<String, Tensor> in, JsonNode params);
  }

  /** A parameter value this implementation does not support; the case is skipped with the reason. */
  static final class Unsupported extends RuntimeException {
    Unsupported(String reason) {
      super(reason);
    }
  }

  static final Map<String, Op> OPS = new HashMap<>();

  static {
    unary("neg", Tensor::neg);
    unary("abs", Tensor::abs);
    unary("sign", Tensor::sign);
    unary("exp", Tensor::exp);
    unary("log", Tensor::log);
    unary("log1p", Tensor::log1p);
    unary("sqrt", Tensor::sqrt);
    unary("rsqrt", Tensor::rsqrt);
    unary("reciprocal", Tensor::reciprocal);
    unary("square", Tensor::square);
    unary("sin", Tensor::sin);
    unary("cos", Tensor::cos);
    unary("tanh", Tensor::tanh);
    unary("sigmoid", Tensor::sigmoid);
    unary("relu", Tensor::relu);
    unary("gelu_erf", Tensor::gelu);
    unary("gelu_tanh", Tensor::geluTanh);
    unary("silu", Tensor::silu);
    unary("erf", Tensor::erf);
    unary("logical_not", Tensor::logicalNot);
    op("leaky_relu", (in, p) -> y(in.get("x").leakyRelu(p.path("negative_slope").asDouble(0.01))));
    op("pow", (in, p) -> y(in.containsKey("exponent") ? in.get("x").pow(in.get("exponent")) : in.get("x").pow(p.get("exponent").asDouble())));
    op("clamp", (in, p) -> y(in.get("x").clamp(number(p, "min"), number(p, "max"))));

    binary("add", Tensor::add);
    binary("sub", Tensor::sub);
    binary("mul", Tensor::mul);
    binary("div", Tensor::div);
    binary("maximum", Tensor::maximum);
    binary("minimum", Tensor::minimum);
    binary("atan2", Tensor::atan2);
    binary("eq", Tensor::eq);
    binary("ne", Tensor::ne);
    binary("lt", Tensor::lt);
    binary("le", Tensor::le);
    binary("gt", Tensor::gt);
    binary("ge", Tensor::ge);
    binary("logical_and", Tensor::logicalAnd);
    binary("logical_or", Tensor::logicalOr);
    binary("logical_xor", Tensor::logicalXor);
    op("where", (in, p) -> y(in.get("x").where(in.get("condition"), in.get("y"))));

    op("sum", (in, p) -> y(in.get("x").sum(dims(p), keepdim(p))));
    op("mean", (in, p) -> y(in.get("x").mean(dims(p), keepdim(p))));
    op("var", (in, p) -> y(in.get("x").var(dims(p), p.path("correction").asInt(1), keepdim(p))));
    op("std", (in, p) -> y(in.get("x").std(dims(p), p.path("correction").asInt(1), keepdim(p))));
    op("amax", (in, p) -> y(in.get("x").amax(dims(p), keepdim(p))));
    op("amin", (in, p) -> y(in.get("x").amin(dims(p), keepdim(p))));
    op("max", (in, p) -> indexed(in.get("x").max(p.get("dim").asInt(), keepdim(p))));
    op("min", (in, p) -> indexed(in.get("x").min(p.get("dim").asInt(), keepdim(p))));
    op("argmax", (in, p) -> y(in.get("x").argmax(p.get("dim").asInt(), keepdim(p))));
    op("argmin", (in, p) -> y(in.get("x").argmin(p.get("dim").asInt(), keepdim(p))));
    op("logsumexp", (in, p) -> y(in.get("x").logsumexp(dims(p), keepdim(p))));
    op("norm", (in, p) -> y(in.get("x").norm(p.get("p").isTextual() ? Double.parseDouble(p.get("p").asText().replace("inf", "Infinity")) : p.get("p").asDouble(),
        dims(p), keepdim(p))));
    op("topk", (in, p) -> {
      if (!p.path("sorted").asBoolean(true)) throw new Unsupported("topk with sorted=False");
      return indexed(in.get("x").topk(p.get("k").asInt(), p.path("dim").asInt(-1), p.path("largest").asBoolean(true)));
    });
    op("sort", (in, p) -> indexed(in.get("x").sort(p.path("dim").asInt(-1), p.path("descending").asBoolean(false))));

    op("matmul", (in, p) -> y(in.get("a").matmul(in.get("b"))));
    op("linear", (in, p) -> y(in.get("x").linear(in.get("weight"), in.get("bias"))));
    op("softmax", (in, p) -> y(in.get("x").softmax(p.get("dim").asInt())));
    op("log_softmax", (in, p) -> y(in.get("x").logSoftmax(p.get("dim").asInt())));
    op("layer_norm", (in, p) -> y(in.get("x").layerNorm(ints(p.get("normalized_shape")), in.get("weight"), in.get("bias"), p.path("eps").asDouble(1e-5))));
    op("dropout", (in, p) -> {
      if (p.path("training").asBoolean(true)) throw new Unsupported("dropout in training mode draws a random mask");
      return y(in.get("x").dropout(p.path("p").asDouble(0.5), false, null));
    });

    for (int d = 1; d <= 3; d++) {
      int dims = d;
      op("conv" + d + "d", (in, p) -> y(org.tessera.tensor.TensorOps.get().conv(in.get("x"), in.get("weight"), in.get("bias"), spatial(p, "stride", dims, 1),
          spatial(p, "padding", dims, 0), spatial(p, "dilation", dims, 1), p.path("groups").asInt(1))));
      op("conv_transpose" + d + "d", (in, p) -> y(org.tessera.tensor.TensorOps.get().convTranspose(in.get("x"), in.get("weight"), in.get("bias"),
          spatial(p, "stride", dims, 1), spatial(p, "padding", dims, 0), spatial(p, "output_padding", dims, 0), spatial(p, "dilation", dims, 1),
          p.path("groups").asInt(1))));
    }
    op("attention", (in, p) -> {
      Tensor mask = in.get("mask");
      return y(in.get("q").scaledDotProductAttention(in.get("k"), in.get("v"), mask == null ? null : mask.logicalNot(), p.path("scale").asDouble(Double.NaN)));
    });
    op("linear_sum_assignment", (in, p) -> {
      var r = org.tessera.tensor.LinearSumAssignment.solve(in.get("cost"), p.path("maximize").asBoolean(false));
      return Map.of("row_ind", Tensor.of(java.util.Arrays.stream(r.rows()).asLongStream().toArray(), r.rows().length),
          "col_ind", Tensor.of(java.util.Arrays.stream(r.cols()).asLongStream().toArray(), r.cols().length),
          "total_cost", Tensor.scalar(r.totalCost(), DType.F64, in.get("cost").device()));
    });
    unary("floor", Tensor::floor);
    unary("round", Tensor::round);
    op("interpolate", (in, p) -> {
      if (p.path("recompute_scale_factor").asBoolean(false)) throw new Unsupported("recompute_scale_factor=True");
      int[] size = p.has("size") && !p.get("size").isNull() ? ints1(p.get("size")) : null;
      double[] scale = p.has("scale_factor") && !p.get("scale_factor").isNull() ? doubles1(p.get("scale_factor")) : null;
      return y(in.get("x").interpolate(size, scale, mode(p.path("mode").asText("nearest")), p.path("align_corners").asBoolean(false),
          p.path("antialias").asBoolean(false)));
    });
    op("pos_embed_interp", (in, p) -> y(in.get("pos_embed").resampleAbsPosEmbed(ints(p.get("new_grid")), ints(p.get("old_grid")),
        p.path("num_prefix_tokens").asInt(1), mode(p.path("mode").asText("bicubic")), p.path("antialias").asBoolean(true))));
    op("grid_sample", (in, p) -> {
      String mode = p.path("mode").asText("bilinear");
      if (!mode.equals("bilinear") && !mode.equals("nearest")) throw new Unsupported("grid_sample mode " + mode);
      return y(in.get("input").gridSample(in.get("grid"), mode.equals("bilinear"), GridPadding.valueOf(p.path("padding_mode").asText("zeros").toUpperCase()),
          p.path("align_corners").asBoolean(false)));
    });
    op("max_pool2d", (in, p) -> {
      Indexed r = in.get("x").maxPool2d(ints1(p.get("kernel_size")), p.has("stride") ? ints1(p.get("stride")) : ints1(p.get("kernel_size")),
          p.has("padding") ? ints1(p.get("padding")) : new int[] {0});
      return Map.of("y", r.values(), "indices", r.indices());
    });
    op("avg_pool2d", (in, p) -> y(in.get("x").avgPool2d(ints1(p.get("kernel_size")), p.has("stride") ? ints1(p.get("stride")) : ints1(p.get("kernel_size")),
        p.has("padding") ? ints1(p.get("padding")) : new int[] {0}, p.path("count_include_pad").asBoolean(true))));
    op("adaptive_avg_pool2d", (in, p) -> {
      int[] size = ints1(p.get("output_size"));
      return y(in.get("x").adaptiveAvgPool2d(size[0], size[size.length - 1]));
    });
    op("group_norm", (in, p) -> y(in.get("x").groupNorm(p.get("num_groups").asInt(), in.get("weight"), in.get("bias"), p.path("eps").asDouble(1e-5))));
    op("instance_norm", (in, p) -> y(in.get("x").instanceNorm(in.get("weight"), in.get("bias"), p.path("eps").asDouble(1e-5))));
    op("layer_norm2d", (in, p) -> y(in.get("x").layerNorm2d(in.get("weight"), in.get("bias"), p.path("eps").asDouble(1e-6))));
    op("batch_norm_train", (in, p) -> {
      Tensor rm = in.get("running_mean").mul(1), rv = in.get("running_var").mul(1);
      Tensor out = in.get("x").batchNorm(rm, rv, in.get("weight"), in.get("bias"), true, p.path("momentum").asDouble(0.1), p.path("eps").asDouble(1e-5));
      return Map.of("y", out, "running_mean_after", rm, "running_var_after", rv);
    });
    op("batch_norm_eval", (in, p) -> y(in.get("x").batchNorm(in.get("running_mean"), in.get("running_var"), in.get("weight"), in.get("bias"), false, 0.1,
        p.path("eps").asDouble(1e-5))));
    op("position_embedding_sine", (in, p) -> {
      Tensor x = in.get("x");
      return y(org.tessera.tensor.PositionEncodings.sine(x.size(0), x.size(2), x.size(3), p.path("num_pos_feats").asInt(64), p.path("temperature").asDouble(10000),
          p.path("normalize").asBoolean(false), p.path("scale").asDouble(2 * Math.PI), x.device()));
    });
    op("ms_deform_attn_core", (in, p) -> y(in.get("value").msDeformAttn(in.get("spatial_shapes"), in.get("level_start_index"), in.get("sampling_locations"),
        in.get("attention_weights"))));
    op("cross_entropy", (in, p) -> y(Losses.crossEntropy(in.get("logits"), in.get("target"), in.get("weight"), p.path("ignore_index").asLong(-100),
        reduction(p), p.path("label_smoothing").asDouble(0))));
    op("binary_cross_entropy_with_logits", (in, p) -> y(Losses.binaryCrossEntropyWithLogits(in.get("x"), in.get("target"), in.get("pos_weight"), reduction(p))));
    op("soft_dice_softmax", (in, p) -> y(Losses.softDice(in.get("logits"), in.get("target"), p.path("smooth").asDouble(1e-5), p.path("do_bg").asBoolean(false),
        p.path("batch_dice").asBoolean(false))));
    op("soft_dice_sigmoid", (in, p) -> y(Losses.diceMaskLoss(in.get("logits"), in.get("targets"), p.path("num_masks").asDouble(1))));
    op("mask2former_sigmoid_ce_loss", (in, p) -> y(Losses.sigmoidCeMaskLoss(in.get("logits"), in.get("targets"), p.path("num_masks").asDouble(1))));
    op("sigmoid_focal_loss", (in, p) -> y(Losses.sigmoidFocalLoss(in.get("logits"), in.get("targets"), p.path("alpha").asDouble(0.25),
        p.path("gamma").asDouble(2), reduction(p))));
    op("sgd", (in, p) -> Map.of("p", OptimizerSteps.run(in, p, "sgd")));
    op("adam", (in, p) -> Map.of("p", OptimizerSteps.run(in, p, "adam")));
    op("adamw", (in, p) -> Map.of("p", OptimizerSteps.run(in, p, "adamw")));
    op("cat", (in, p) -> y(Tensor.cat(p.path("dim").asInt(0), listed(in, "tensors"))));
    op("stack", (in, p) -> y(Tensor.stack(p.path("dim").asInt(0), listed(in, "tensors"))));
    op("split", (in, p) -> {
      if (!p.get("split_size_or_sections").isInt()) throw new Unsupported("split with a list of sections");
      return numbered(in.get("x").split(p.get("split_size_or_sections").asInt(), p.path("dim").asInt(0)));
    });
    op("chunk", (in, p) -> numbered(in.get("x").chunk(p.get("chunks").asInt(), p.path("dim").asInt(0))));
    op("pad", (in, p) -> y(in.get("x").pad(ints(p.get("pad")), PadMode.valueOf(p.path("mode").asText("constant").toUpperCase()), p.path("value").asDouble(0))));
    op("index_select", (in, p) -> y(in.get("x").indexSelect(p.get("dim").asInt(), in.get("index"))));
    op("gather", (in, p) -> y(in.get("x").gather(p.get("dim").asInt(), in.get("index"))));
    op("scatter_add", (in, p) -> y(in.get("x").scatterAdd(p.get("dim").asInt(), in.get("index"), in.get("src"))));
    op("masked_fill", (in, p) -> y(in.get("x").maskedFill(in.get("mask"), p.get("value").asDouble())));
    op("one_hot", (in, p) -> y(in.get("x").oneHot(p.get("num_classes").asInt())));
    op("repeat", (in, p) -> y(in.get("x").repeat(ints(p.get("repeats")))));
    op("flip", (in, p) -> y(in.get("x").flip(ints(p.get("dims")))));
    op("roll", (in, p) -> {
      int[] shifts = ints(p.get("shifts")), dims = ints(p.get("dims"));
      Tensor x = in.get("x");
      for (int i = 0; i < shifts.length; i++) x = x.roll(shifts[i], dims[i]);
      return y(x);
    });
    op("tril", (in, p) -> y(in.get("x").tril(p.path("diagonal").asInt(0))));
    op("triu", (in, p) -> y(in.get("x").triu(p.path("diagonal").asInt(0))));
    op("reshape", (in, p) -> y(in.get("x").reshape(ints(p.get("shape")))));
    op("permute", (in, p) -> y(in.get("x").permute(ints(p.get("dims")))));
    op("transpose", (in, p) -> y(in.get("x").transpose(p.get("dim0").asInt(), p.get("dim1").asInt())));
    op("expand", (in, p) -> y(in.get("x").expand(ints(p.get("size")))));
    op("narrow", (in, p) -> y(in.get("x").narrow(p.get("dim").asInt(), p.get("start").asInt(), p.get("length").asInt())));
    op("slice", (in, p) -> y(in.get("x").slice(p.get("dim").asInt(), p.path("start").asInt(0), p.path("end").asInt(Integer.MAX_VALUE), p.path("step").asInt(1))));
    op("squeeze", (in, p) -> y(p.has("dim") ? in.get("x").squeeze(p.get("dim").asInt()) : in.get("x").squeeze()));
    op("unsqueeze", (in, p) -> y(in.get("x").unsqueeze(p.get("dim").asInt())));
    op("flatten", (in, p) -> y(in.get("x").flatten(p.path("start_dim").asInt(0), p.path("end_dim").asInt(-1))));
    op("to", (in, p) -> y(in.get("x").to(dtype(p.get("dtype").asText()))));
  }

  private static void op(String name, Op op) {
    OPS.put(name, op);
  }

  private static void unary(String name, UnaryOperator<Tensor> f) {
    op(name, (in, p) -> y(f.apply(in.get("x"))));
  }

  private static void binary(String name, BinaryOperator<Tensor> f) {
    op(name, (in, p) -> y(f.apply(in.get("x"), in.get("y"))));
  }

  private static Map<String, Tensor> y(Tensor t) {
    return Map.of("y", t);
  }

  private static Map<String, Tensor> indexed(Indexed r) {
    return Map.of("values", r.values(), "indices", r.indices());
  }

  private static Map<String, Tensor> numbered(List<Tensor> pieces) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < pieces.size(); i++) out.put(Integer.toString(i), pieces.get(i));
    return out;
  }

  /** in.tensors.0, in.tensors.1, … in order. */
  private static Tensor[] listed(Map<String, Tensor> in, String prefix) {
    List<Tensor> out = new ArrayList<>();
    for (int i = 0; in.containsKey(prefix + "." + i); i++) out.add(in.get(prefix + "." + i));
    return out.toArray(Tensor[]::new);
  }

  private static int[] dims(JsonNode p) {
    JsonNode d = p.get("dim");
    if (d == null || d.isNull()) return new int[0];
    return d.isArray() ? ints(d) : new int[] {d.asInt()};
  }

  /** An int-or-list parameter as one value per spatial dim (torch's convention). */
  private static int[] spatial(JsonNode p, String key, int dims, int fallback) {
    JsonNode v = p.get(key);
    int[] out = new int[dims];
    if (v != null && v.isTextual()) throw new Unsupported(key + "='" + v.asText() + "'");
    for (int i = 0; i < dims; i++) out[i] = v == null ? fallback : v.isArray() ? v.get(i).asInt() : v.asInt();
    return out;
  }

  /** An int or a list of ints. */
  private static int[] ints1(JsonNode v) {
    return v.isArray() ? ints(v) : new int[] {v.asInt()};
  }

  private static double[] doubles1(JsonNode v) {
    if (!v.isArray()) return new double[] {v.asDouble()};
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) out[i] = v.get(i).asDouble();
    return out;
  }

  private static InterpolationMode mode(String torchName) {
    return switch (torchName) {
      case "nearest" -> InterpolationMode.NEAREST;
      case "linear" -> InterpolationMode.LINEAR;
      case "bilinear" -> InterpolationMode.BILINEAR;
      case "bicubic" -> InterpolationMode.BICUBIC;
      case "trilinear" -> InterpolationMode.TRILINEAR;
      default -> throw new Unsupported("interpolation mode " + torchName);
    };
  }

  private static org.tessera.nn.Reduction reduction(JsonNode p) {
    return org.tessera.nn.Reduction.valueOf(p.path("reduction").asText("mean").toUpperCase());
  }

  private static boolean keepdim(JsonNode p) {
    return p.path("keepdim").asBoolean(false);
  }

  private static double number(JsonNode p, String key) {
    JsonNode v = p.get(key);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
    return out;
  }

  private static DType dtype(String torchName) {
    return switch (torchName) {
      case "float32", "float" -> DType.F32;
      case "float64", "double" -> DType.F64;
      case "float16", "half" -> DType.F16;
      case "bfloat16" -> DType.BF16;
      case "int64", "long" -> DType.I64;
      case "int32", "int" -> DType.I32;
      case "uint8" -> DType.U8;
      case "bool" -> DType.BOOL;
      default -> throw new Unsupported("dtype " + torchName);
    };
  }
}
