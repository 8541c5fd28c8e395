package org.tessera.train;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.tessera.autograd.GradMode;
import org.tessera.models.SegmentationModels;
import org.tessera.nn.Layer;
import org.tessera.nn.Module;
import org.tessera.nn.io.Safetensors;
import org.tessera.nn.io.TrainingCheckpoint;
import org.tessera.tensor.Tensor;
import org.tessera.train.data.ImageMaskDataset;
import org.tessera.train.nnunet.NnunetDataset;
import org.tessera.train.nnunet.NnunetPaths;
import org.tessera.train.nnunet.NnunetPredictor;
import org.tessera.train.nnunet.Plan;
import org.tessera.train.nnunet.Volume;
import org.tessera.train.nnunet.VolumeOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code predict}: label masks and colour overlays for a folder of images, from a training checkpoint; with
 * {@code -d ID -c 2d -f FOLD}, nnU-Net's form: every case of a folder of NIfTI images by sliding window, written as
 * NIfTI label maps with the images' geometry.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Segment every .png in a folder with a trained model,", "or (with -d ID -c 2d -f FOLD) every case of a folder of nnU-Net images (CASE_0000.nii.gz)."})
final class PredictCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", defaultValue = "runs/default/best.safetensors", description = "A checkpoint written by train (default: ${DEFAULT-VALUE}).")
  Path checkpoint;

  @Option(names = {"-i", "--input"}, required = true, description = "A folder of .png images (or a dataset folder with images/), or of nnU-Net case files.")
  Path input;

  @Option(names = {"-o", "--output"}, required = true, description = "Where to write NAME.png masks and NAME_overlay.png overlays (or CASE.nii.gz).")
  Path output;

  @Option(names = {"-d", "--dataset"}, description = "nnU-Net dataset id, name or 'phantom': predict with its trained fold.")
  String dataset;

  @Option(names = {"-c", "--configuration"}, defaultValue = "2d", description = "nnU-Net configuration (only 2d).")
  String configuration;

  @Option(names = {"-f", "--fold"}, defaultValue = "0", description = "The fold whose model predicts (default: ${DEFAULT-VALUE}).")
  int fold;

  @Option(names = "-chk", defaultValue = "best", description = "best or last checkpoint of the fold (default: ${DEFAULT-VALUE}).")
  String which;

  @Option(names = "--disable_tta", description = "No mirroring (4× faster, slightly less accurate).")
  boolean noMirroring;

  @Mixin NnunetFolders folders = new NnunetFolders();

  static final int[][] COLOURS = {{0, 0, 0}, {230, 25, 75}, {60, 180, 75}, {0, 130, 200}, {255, 225, 25}, {145, 30, 180}, {70, 240, 240}, {240, 50, 230}};

  @Override public Integer call() throws Exception {
    if (dataset != null) return predictNnunet();
    Path images = Files.isDirectory(input.resolve("images")) ? input.resolve("images") : input;
    List<Path> files;
    try (var s = Files.list(images)) {
      files = s.filter(p -> p.toString().toLowerCase().endsWith(".png")).sorted().toList();
    }
    if (files.isEmpty()) throw new IllegalArgumentException(images + ": no .png images to segment");
    Config config = checkpointConfig(checkpoint);
    BufferedImage first = ImageIO.read(files.get(0).toFile());
    int channels = first.getColorModel().getNumColorComponents() == 1 ? 1 : 3;
    Layer model = load(checkpoint, config, channels);
    int patch = SegmentationModels.backbone(config.text("model.backbone"), config.text("model.backbone_size")).patch();
    Files.createDirectories(output);
    for (Path f : files) {
      ImageMaskDataset.Sample s = ImageMaskDataset.readImage(f);
      long[] labels = segment(model, patch, s, !noMirroring);
      write(output.resolve(f.getFileName()), output.resolve(f.getFileName().toString().replaceFirst("\\.png$", "_overlay.png")), s, labels);
    }
    System.out.printf("wrote %d masks and overlays to %s%n", files.size(), output);
    return 0;
  }

  /** The config a checkpoint was trained with (train stores it in the checkpoint). */
  static Config checkpointConfig(Path checkpoint) throws java.io.IOException {
    String yaml = Safetensors.read(checkpoint).metadata().get("config");
    if (yaml == null || yaml.isBlank()) throw new IllegalArgumentException(checkpoint + ": no config in the checkpoint: not written by train");
    Path configCopy = Files.createTempFile("tessera-config", ".yaml");
    try {
      Files.writeString(configCopy, yaml);
      return Config.load(configCopy, List.of());
    } finally {
      Files.delete(configCopy);
    }
  }

  /** The model of a checkpoint, in eval mode. */
  static Layer load(Path checkpoint, Config config, int channels) throws java.io.IOException {
    var model = (Module & Layer) SegmentationModels.create(config.text("model.backbone"), config.text("model.backbone_size"), config.text("model.name"),
        config.integer("data.num_classes"), channels, config.ints("model.taps"), 0);
    TrainingCheckpoint.load(checkpoint, (Module) model, null);
    ((Module) model).eval();
    return model;
  }

  /** nnU-Net's predict: each case of the input folder to OUT/CASE.nii.gz with its image's geometry, and an overlay PNG. */
  private int predictNnunet() throws Exception {
    if (!configuration.equals(Plan.CONFIGURATION)) throw new IllegalArgumentException("predict: configuration '" + configuration + "': only '2d' is supported");
    NnunetPaths paths = folders.paths();
    String name = paths.datasetName(dataset);
    Path trainerDir = paths.results().resolve(name).resolve(TrainCommand.RESULTS_FOLDER);
    Path chk = trainerDir.resolve("fold_" + fold).resolve(which + ".safetensors");
    if (!Files.exists(chk)) throw new IllegalArgumentException(chk + ": no such checkpoint (train " + dataset + " 2d " + fold + " first; -chk is best or last)");
    Plan plan = Plan.read(trainerDir.resolve("plans.json"));
    NnunetDataset ds = NnunetDataset.open(trainerDir);
    List<NnunetDataset.Case> cases = NnunetDataset.cases(input, null, ds.fileEnding());
    if (cases.isEmpty()) throw new IllegalArgumentException(input + ": no CASE_XXXX" + ds.fileEnding() + " images");
    Layer model = load(chk, checkpointConfig(chk), ds.channelNames().size());
    NnunetPredictor predictor = new NnunetPredictor(model, plan, ds.numClasses(), !noMirroring);
    Files.createDirectories(output);
    try (var bar = new me.tongfei.progressbar.ProgressBarBuilder().setTaskName("predict").setInitialMax(cases.size()).setUnit(" cases", 1).showSpeed()
        .setStyle(me.tongfei.progressbar.ProgressBarStyle.ASCII).build()) {
      for (NnunetDataset.Case c : cases) {
        if (c.images().size() != ds.channelNames().size())
          throw new IllegalArgumentException(input + ": case " + c.name() + " has channels " + c.channelIds() + ", the model needs " + ds.channelNames().size());
        Volume v = Volume.read(c.images());
        byte[] labels = predictor.predict(c.name(), v);
        Path out = output.resolve(c.name() + ds.fileEnding());
        VolumeOutput.writeLabels(out, v, labels);
        VolumeOutput.writeOverlay(output.resolve(c.name() + "_overlay.png"), v, labels, COLOURS);
        bar.step();
      }
    }
    System.out.printf("wrote %d segmentations (%s) and overlays to %s%n", cases.size(), ds.fileEnding(), output);
    return 0;
  }

  /**
   * The argmax labels of one image, zero-padded to a multiple of the patch size for the model and cropped back;
   * with mirroring, of the logits averaged over the four flips (nnU-Net's test-time mirroring).
   */
  static long[] segment(Layer model, int patch, ImageMaskDataset.Sample s, boolean mirror) {
    int h = s.height(), w = s.width(), ph = (h + patch - 1) / patch * patch, pw = (w + patch - 1) / patch * patch;
    float[] x = new float[s.channels() * ph * pw];
    for (int c = 0; c < s.channels(); c++) for (int y = 0; y < h; y++) System.arraycopy(s.pixels()[c], y * w, x, (c * ph + y) * pw, w);
    org.tessera.train.data.Batches.normalize(x, 0, x.length);
    try (var scope = GradMode.noGrad()) {
      Tensor logits = org.tessera.train.run.Mirroring.logits(model, Tensor.of(x, 1, s.channels(), ph, pw), mirror);
      return logits.narrow(2, 0, h).narrow(3, 0, w).argmax(1, false).toLongArray();
    }
  }

  private static void write(Path maskFile, Path overlayFile, ImageMaskDataset.Sample s, long[] labels) throws java.io.IOException {
    int w = s.width(), h = s.height();
    BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), overlay = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        int label = (int) labels[y * w + x];
        mask.getRaster().setSample(x, y, 0, label);
        int[] col = COLOURS[label % COLOURS.length];
        double alpha = label == 0 ? 0 : 0.45;
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
          double v = s.pixels()[s.channels() == 1 ? 0 : c][y * w + x] * 255;
          rgb = rgb << 8 | (int) Math.round((1 - alpha) * v + alpha * col[c]);
        }
        overlay.setRGB(x, y, rgb);
      }
    ImageIO.write(mask, "png", maskFile.toFile());
    ImageIO.write(overlay, "png", overlayFile.toFile());
  }
}
