package org.tessera.train.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tessera.nn.io.Safetensors;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * Runs PyTorch parity fixtures (shared/spec/fixtures.md): reads a fixture's inputs and parameters, runs the op
 * forward and, where the fixture has gradients, backward with {@code in.upstream}, and compares every output and
 * gradient: {@code |got - want| <= atol[t] + rtol * |want|} for floats with a tolerance, exact otherwise.
 */
public final class ParityRunner {
  private static final ObjectMapper JSON = new ObjectMapper();

  public enum Status { PASS, FAIL, SKIP }

  /** One case's verdict and the line that reports it. */
  public record Result(String name, Status status, String line) {}

  private ParityRunner() {}

  /** Runs every {@code *.safetensors} fixture in dir (sorted by name) on device. */
  public static List<Result> runAll(Path dir, Device device) throws IOException {
    if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a directory of parity fixtures");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    }
    List<Result> results = new ArrayList<>();
    for (Path f : files) results.add(run(f, device));
    return results;
  }

  /** Prints one line per case and then the summary line; returns the number of failures. */
  public static int report(List<Result> results, PrintStream out) {
    int passed = 0, failed = 0, skipped = 0;
    for (Result r : results) {
      out.println(r.line());
      switch (r.status()) {
        case PASS -> passed++;
        case FAIL -> failed++;
        case SKIP -> skipped++;
      }
    }
    out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
    return failed;
  }

  /** One fixture; a malformed file or an exception in the op is a FAIL with the reason, never a crash. */
  public static Result run(Path file, Device device) {
    String name = file.getFileName().toString().replaceFirst("\\.safetensors$", "");
    try {
      Safetensors.Contents c = Safetensors.read(file);
      Map<String, String> meta = c.metadata();
      String opName = meta.get("op");
      if (opName == null) return fail(name, "the fixture has no 'op' in its metadata");
      ParityOps.Op op = ParityOps.OPS.get(opName);
      if (op == null) return new Result(name, Status.SKIP, "SKIP " + name + "  op '" + opName + "' is not in Tessera's vocabulary yet");
      JsonNode params = JSON.readTree(meta.getOrDefault("params", "{}"));
      JsonNode atol = JSON.readTree(meta.getOrDefault("atol", "{}"));
      double rtol = Double.parseDouble(meta.getOrDefault("rtol", "0"));
      String gradOf = meta.getOrDefault("grad_of", "y");

      Map<String, Tensor> in = new HashMap<>();
      c.tensors().forEach((k, v) -> {
        if (k.startsWith("in.") && !k.equals("in.upstream")) {
          Tensor t = v.to(device);
          in.put(k.substring(3), c.tensors().containsKey("grad." + k.substring(3)) ? t.requiresGrad(true) : t);
        }
      });
      Map<String, Tensor> out;
      try {
        out = op.run(in, params);
      } catch (ParityOps.Unsupported e) {
        return new Result(name, Status.SKIP, "SKIP " + name + "  " + e.getMessage());
      }
      Map<String, Tensor> got = new HashMap<>();
      out.forEach((k, v) -> got.put("out." + k, v));
      boolean hasGrads = c.tensors().keySet().stream().anyMatch(k -> k.startsWith("grad."));
      if (hasGrads) {
        Tensor target = out.get(gradOf);
        if (target == null) return fail(name, "grad_of names output '" + gradOf + "', which the op does not produce");
        Tensor upstream = c.tensors().get("in.upstream");
        if (upstream == null) return fail(name, "the fixture has gradients but no in.upstream");
        target.backward(upstream.to(device));
        for (String k : c.tensors().keySet())
          if (k.startsWith("grad.")) got.put(k, in.get(k.substring(5)).grad());
      }
      // ties: another optimal assignment is as right as the reference's, so only its validity and cost are compared
      boolean tiedAssignment = "linear_sum_assignment".equals(opName) && "false".equals(meta.get("unique_optimum"));
      if (tiedAssignment) {
        String invalid = invalidAssignment(got.get("out.row_ind"), got.get("out.col_ind"), c.tensors().get("out.row_ind").numel());
        if (invalid != null) return fail(name, invalid);
      }
      double worst = 0;
      for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
        String key = e.getKey();
        if (key.startsWith("in.") || tiedAssignment && !key.equals("out.total_cost")) continue;
        Tensor g = got.get(key);
        if (g == null) return fail(name, key + ": Tessera produced no such tensor");
        Comparison cmp = compare(g, e.getValue(), atol.has(key) ? atol.get(key).asDouble() : -1, rtol);
        if (cmp.failure != null) return new Result(name, Status.FAIL, "FAIL " + name + "  " + key + "  " + cmp.failure);
        worst = Math.max(worst, cmp.ratio);
      }
      return new Result(name, Status.PASS, String.format("PASS %s  %.3g", name, worst));
    } catch (IOException | RuntimeException e) {
      return fail(name, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Why rows and columns are not a matching of the expected size (rows ascending, no column twice), or null. */
  private static String invalidAssignment(Tensor rows, Tensor cols, int size) {
    long[] r = rows.toLongArray(), c = cols.toLongArray();
    if (r.length != size || c.length != size) return "the assignment has " + r.length + " pairs, want " + size;
    for (int i = 1; i < r.length; i++) if (r[i] <= r[i - 1]) return "out.row_ind is not strictly ascending at index " + i;
    if (java.util.Arrays.stream(c).distinct().count() != c.length) return "out.col_ind uses a column twice";
    return null;
  }

  private static Result fail(String name, String why) {
    return new Result(name, Status.FAIL, "FAIL " + name + "  " + why);
  }

  /** The worst |err| / tolerance (0 for exact matches), or the reason it fails. */
  private record Comparison(double ratio, String failure) {}

  /** With a tolerance (atol >= 0): within atol + rtol·|want|. Without one: the same dtype and exactly the same values. */
  private static Comparison compare(Tensor got, Tensor want, double atol, double rtol) {
    if (!Arrays.equals(got.shape(), want.shape()))
      return new Comparison(0, "shape " + Shapes.str(got.shape()) + ", want " + Shapes.str(want.shape()));
    boolean exact = atol < 0;
    if (exact && got.dtype() != want.dtype()) return new Comparison(0, "dtype " + got.dtype() + ", want " + want.dtype());
    double[] g = got.to(DType.F64).toDoubleArray(), w = want.to(DType.F64).toDoubleArray();
    double worst = 0;
    int worstAt = -1;
    for (int i = 0; i < w.length; i++) {
      double err = Math.abs(g[i] - w[i]), tol = exact ? 0 : atol + rtol * Math.abs(w[i]);
      boolean nanMatch = Double.isNaN(w[i]) && Double.isNaN(g[i]);
      if (!nanMatch && !(err <= tol)) {
        return new Comparison(0, String.format("max|err| %.3g  at index %d  (got %s, want %s)", maxErr(g, w), i, g[i], w[i]));
      }
      double ratio = tol == 0 ? 0 : err / tol;
      if (ratio > worst) {
        worst = ratio;
        worstAt = i;
      }
    }
    return new Comparison(worstAt < 0 ? 0 : worst, null);
  }

  private static double maxErr(double[] g, double[] w) {
    double m = 0;
    for (int i = 0; i < w.length; i++) m = Math.max(m, Math.abs(g[i] - w[i]));
    return m;
  }
}
