package org.tessera.train;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tessera} command line: {@code ./mvnw -q compile exec:java -Dexec.args="COMMAND ..."}. */
@Command(name = "tessera", mixinStandardHelpOptions = true, version = "Tessera 0.1.0",
    description = "Deep learning on the JVM: segmentation models on DINOv2/DINOv3 backbones.",
    subcommands = {TrainCommand.class, PredictCommand.class, EvaluateCommand.class, ParityCommand.class, NiftiInfoCommand.class, PlanAndPreprocessCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(cli().execute(args));
  }

  /** The command line with its error handling: bad input (a config key, a file, a shape) is one line, exit code 2. */
  static CommandLine cli() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (!(e instanceof IllegalArgumentException || e instanceof java.io.IOException || e instanceof IndexOutOfBoundsException)) throw e;
      cmd.getErr().println("error: " + e.getMessage());
      return 2;
    });
    return cli;
  }
}
