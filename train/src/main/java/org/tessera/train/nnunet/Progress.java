package org.tessera.train.nnunet;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The progress bars of the nnU-Net steps: count, rate and ETA, on the given stream. */
final class Progress {
  private Progress() {}

  static ProgressBar bar(String task, long total, String unit, PrintStream out) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUnit(unit, 1).showSpeed()
        .setMaxRenderedLength(110).setConsumer(new ConsoleProgressBarConsumer(out)).build();
  }
}
