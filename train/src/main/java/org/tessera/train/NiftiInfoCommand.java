package org.tessera.train;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;
import org.tessera.train.nifti.Nifti;
import org.tessera.train.nifti.NiftiHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nifti-info FILE…}: one line per NIfTI file, like nibabel's {@code nib-ls}; a bad file is an error line. */
@Command(name = "nifti-info", mixinStandardHelpOptions = true,
    description = "Print shape (x, y, z, … as nibabel reports it), datatype, spacing and affine of NIfTI files.")
final class NiftiInfoCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "1..*", description = ".nii or .nii.gz files (NIfTI-1 or NIfTI-2).")
  List<Path> files;

  @Override public Integer call() {
    int failed = 0;
    for (Path file : files) {
      try {
        System.out.println(file + " " + describe(Nifti.readHeader(file)));
      } catch (IllegalArgumentException | java.io.IOException e) {
        System.err.println("error: " + (e instanceof java.nio.file.NoSuchFileException ? file + ": no such file" : e.getMessage()));
        failed++;
      }
    }
    return failed == 0 ? 0 : 2;
  }

  static String describe(NiftiHeader h) {
    String affine = Arrays.stream(h.affine()).map(NiftiInfoCommand::numbers).collect(Collectors.joining(",", "[", "]"));
    return "shape=" + Arrays.toString(h.shape()).replace(" ", "") + " dtype=" + h.type.nibabelName + " spacing=" + numbers(h.spacing()) + " affine=" + affine;
  }

  /** Six significant digits, no trailing zeros: NIfTI-1 stores float32, so more digits would only show rounding. */
  private static String numbers(double[] values) {
    return DoubleStream.of(values).mapToObj(NiftiInfoCommand::number).collect(Collectors.joining(",", "[", "]"));
  }

  static String number(double v) {
    if (!Double.isFinite(v)) return String.valueOf(v);
    if (v == 0) return "0";
    return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }
}
