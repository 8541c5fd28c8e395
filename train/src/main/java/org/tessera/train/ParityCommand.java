package org.tessera.train;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tessera.tensor.Device;
import org.tessera.train.parity.ParityRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code parity DIR}: checks Tessera's ops against PyTorch fixtures (shared/spec/fixtures.md). */
@Command(name = "parity", mixinStandardHelpOptions = true,
    description = "Run every *.safetensors PyTorch parity fixture in DIR and print PASS/FAIL/SKIP per case, then 'N passed, M failed, K skipped'.")
final class ParityCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", defaultValue = "fixtures/ops", description = "Directory of fixtures (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--device", defaultValue = "cpu", description = "Device to run on: cpu, ref or cuda:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Override public Integer call() throws Exception {
    int failed = ParityRunner.report(ParityRunner.runAll(dir, Device.of(device)), System.out);
    return failed == 0 ? 0 : 1;
  }
}
