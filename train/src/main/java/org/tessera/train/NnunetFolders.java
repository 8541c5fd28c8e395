package org.tessera.train;

import java.nio.file.Path;
import org.tessera.train.nnunet.NnunetPaths;
import picocli.CommandLine.Option;

/** The --raw, --preprocessed and --results options of the nnU-Net commands, over the nnUNet_* environment variables. */
final class NnunetFolders {
  @Option(names = "--raw", description = "nnUNet_raw (default: $nnUNet_raw, else runs/nnUNet_raw).")
  Path raw;

  @Option(names = "--preprocessed", description = "nnUNet_preprocessed (default: $nnUNet_preprocessed, else runs/nnUNet_preprocessed).")
  Path preprocessed;

  @Option(names = "--results", description = "nnUNet_results (default: $nnUNet_results, else runs/nnUNet_results).")
  Path results;

  /** The three folders from the environment, with any options given. */
  NnunetPaths paths() {
    NnunetPaths env = NnunetPaths.fromEnvironment();
    return new NnunetPaths(raw != null ? raw : env.raw(), preprocessed != null ? preprocessed : env.preprocessed(), results != null ? results : env.results());
  }
}
