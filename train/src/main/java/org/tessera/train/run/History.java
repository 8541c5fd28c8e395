package org.tessera.train.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** The run log (log.csv: one row per epoch) and its plot (progress.png: training loss and validation Dice). */
final class History {
  static final String HEADER = "epoch,train_loss,val_mean_foreground_dice,lr";

  record Row(int epoch, double loss, double meanDice, double lr) {}

  private History() {}

  static void append(Path log, Row r) throws IOException {
    Files.writeString(log, String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.8g%n", r.epoch(), r.loss(), r.meanDice(), r.lr()), StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  static List<Row> read(Path log) throws IOException {
    List<Row> rows = new ArrayList<>();
    if (!Files.exists(log)) return rows;
    for (String line : Files.readAllLines(log)) {
      if (line.isBlank() || line.startsWith("epoch")) continue;
      String[] f = line.split(",");
      try {
        rows.add(new Row(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])));
      } catch (RuntimeException e) {
        throw new IOException(log + ": malformed row '" + line + "'");
      }
    }
    return rows;
  }

  static void plot(List<Row> rows, Path png) throws IOException {
    XYChart chart = new XYChartBuilder().width(800).height(450).title("Training progress").xAxisTitle("epoch").yAxisTitle("value").build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    double[] epochs = rows.stream().mapToDouble(Row::epoch).toArray();
    chart.addSeries("train loss (Dice + CE)", epochs, rows.stream().mapToDouble(Row::loss).toArray());
    chart.addSeries("validation mean foreground Dice", epochs, rows.stream().mapToDouble(r -> Double.isNaN(r.meanDice()) ? 0 : r.meanDice()).toArray());
    BitmapEncoder.saveBitmap(chart, png.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
  }
}
