package org.tessera.train;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tessera} command line: {@code ./mvnw -q compile exec:java -Dexec.args="COMMAND ..."}. */
@Command(name = "tessera", mixinStandardHelpOptions = true, version = "Tessera 0.1.0",
    description = "Deep learning on the JVM: segmentation models on DINOv2/DINOv3 backbones.",
    subcommands = {ParityCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
