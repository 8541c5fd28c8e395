package org.tessera.train.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.tessera.autograd.Autocast;
import org.tessera.autograd.GradMode;
import org.tessera.models.SegmentationModels;
import org.tessera.models.vit.HuggingFaceDinov3;
import org.tessera.models.vit.TimmNames;
import org.tessera.nn.Layer;
import org.tessera.nn.Lora;
import org.tessera.nn.Losses;
import org.tessera.nn.Module;
import org.tessera.nn.Rng;
import org.tessera.nn.io.StateDicts;
import org.tessera.nn.io.TorchCheckpoint;
import org.tessera.nn.io.TrainingCheckpoint;
import org.tessera.nn.optim.Adam;
import org.tessera.nn.optim.GradScaler;
import org.tessera.nn.optim.Optimizer;
import org.tessera.nn.optim.ParamGroup;
import org.tessera.nn.optim.Schedules;
import org.tessera.nn.optim.Sgd;
import org.tessera.tensor.Backends;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Tensor;
import org.tessera.train.Config;
import org.tessera.train.data.Batches;

/**
 * The training loop: AdamW in two groups (backbone, decoder; no decay on norms, biases and tokens), warmup + cosine
 * learning rate per iteration, nnU-Net's Dice + CE loss, gradient clipping; after each epoch a validation Dice per
 * class, the last and best checkpoints (atomic; best by the Dice or, as nnU-Net, its moving average), a CSV log and
 * a PNG plot in the run folder. Resumes from last.
 */
public final class Trainer {
  /** The outcome: the last validation's scores and the best mean foreground Dice. */
  public record Result(DiceScore last, double bestMeanDice, Path runDir) {}

  private final Config config;
  private final Path runDir;
  private final PrintStream out;
  private DType lowPrecision; // the autocast dtype of the current run, null for F32

  public Trainer(Config config, Path runDir, PrintStream out) {
    this.config = config;
    this.runDir = runDir;
    this.out = out;
  }

  /** Trains on train.device (cpu, cuda:N or ref): the model, the batches and the optimizer state live there. */
  public Result run(TrainingData data, String[] classNames, boolean resume) throws IOException, InterruptedException {
    Device device = Device.of(config.text("train.device"));
    String unavailable = Backends.unavailableReason(device);
    if (unavailable != null) throw new IllegalArgumentException("config: train.device=" + device + ": " + unavailable);
    Device previous = Tensor.defaultDevice();
    Tensor.setDefaultDevice(device);
    try {
      return train(data, classNames, resume);
    } finally {
      Tensor.setDefaultDevice(previous);
    }
  }

  /**
   * train.model_dtype (the seeds' BFLOAT16 or FLOAT16) as the dtype autocast runs products, convolutions and attention in, or
   * null (F32). The CPU backend has no BF16/F16 kernels, so on cpu the run stays F32 and says so.
   */
  private DType lowPrecision(Device device) {
    if (config.text("train.model_dtype") == null) return null;
    String name = config.choice("train.model_dtype", "BFLOAT16", "FLOAT16");
    if (device.type().equals("cpu")) {
      out.println("train.model_dtype=" + name + ": autocast runs on cuda (and ref); the cpu backend has no BF16/F16 kernels, so this run is F32");
      return null;
    }
    return name.equals("BFLOAT16") ? DType.BF16 : DType.F16;
  }

  /** The model's forward passes run inside this: torch.autocast on the training device when train.model_dtype asks for it. */
  private GradMode.Scope autocast(Device device) {
    return lowPrecision == null ? Autocast.disable() : Autocast.enable(device.type(), lowPrecision);
  }

  private <M extends Module & Layer> Result train(TrainingData data, String[] classNames, boolean resume) throws IOException, InterruptedException {
    int classes = config.integer("data.num_classes"), epochs = config.integer("train.epochs"), iters = config.integer("train.iterations_per_epoch");
    int batch = data.batchSize();
    long seed = config.integer("train.seed");
    Rng.manualSeed(seed);
    M model = SegmentationModels.create(config.text("model.backbone"), config.text("model.backbone_size"),
        config.choice("model.name", "primus", "primus_multiscale"), classes, data.channels(), config.ints("model.taps"), config.number("model.drop_path"));
    loadBackbone(model);
    if (config.flag("lora.enabled")) {
      ((Module) model.children().get("dino_encoder")).requiresGrad(false);
      Lora.apply(model, config.text("lora.target"), config.integer("lora.r"), config.number("lora.alpha"), config.number("lora.dropout"));
    }
    Optimizer opt = optimizer(groups(model));
    Device device = Tensor.defaultDevice();
    lowPrecision = lowPrecision(device);
    GradScaler scaler = lowPrecision == DType.F16 ? new GradScaler() : null;
    long total = (long) epochs * iters;
    String scheduleName = config.choice("train.schedule", "warmup_cosine", "poly", "linear");
    boolean perEpoch = !scheduleName.equals("warmup_cosine");
    Schedules.Schedule schedule = switch (scheduleName) {
      case "poly" -> Schedules.poly(epochs, 0.9);
      case "linear" -> Schedules.linear(epochs, 0);
      default -> Schedules.warmupCosine((long) config.integer("train.warmup_epochs") * iters, total, 0.01);
    };
    Files.createDirectories(runDir);
    Files.writeString(runDir.resolve("config.yaml"), config.toYaml());
    int start = 0;
    double best = -1, ema = Double.NaN;
    Path last = runDir.resolve("last.safetensors"), bestFile = runDir.resolve("best.safetensors"), log = runDir.resolve("log.csv");
    if (resume) {
      if (!Files.exists(last)) throw new IOException(last + ": nothing to resume from");
      TrainingCheckpoint.Progress p = TrainingCheckpoint.load(last, model, opt, scaler);
      start = p.epoch();
      Rng.generator().setState(p.rngState());
      for (History.Row row : History.read(log)) {
        ema = Double.isNaN(ema) ? row.meanDice() : 0.9 * ema + 0.1 * row.meanDice();
        best = Math.max(best, data.emaBest() ? ema : row.meanDice());
      }
      out.printf("resumed %s at epoch %d (best mean foreground Dice so far %.3f)%n", last, start, best);
    } else {
      Files.writeString(log, History.HEADER + "\n");
    }
    out.print(model.summary(false));
    List<Batches.Batch> validation = data.validation();
    DiceScore score = null;
    for (int epoch = start; epoch < epochs; epoch++) {
      model.train(true);
      double lossSum = 0;
      try (Batches batches = new Batches(data.trainBatches(), iters, seed * 1000 + epoch);
          ProgressBar bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch + 1, epochs)).setInitialMax((long) iters * batch)
              .setStyle(ProgressBarStyle.ASCII).setUnit(" img", 1).showSpeed().setMaxRenderedLength(110).setConsumer(
                  new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).build()) {
        for (int it = 0; it < iters; it++) {
          Schedules.apply(opt, schedule, perEpoch ? epoch : (long) epoch * iters + it);
          Batches.Batch b = batches.next();
          opt.zeroGrad();
          Tensor logits;
          try (var scope = autocast(device)) {
            logits = model.forward(b.images());
          }
          Tensor loss = Losses.diceCe(logits, b.labels(), 1e-5, false, true);
          if (scaler == null) {
            loss.backward();
            Optimizer.clipGradNorm(model.parameters(), config.number("train.grad_clip"));
            opt.step();
          } else { // F16: the loss scaled for backward, the gradients unscaled before clipping, a non-finite step skipped
            scaler.scale(loss).backward();
            scaler.unscale(model.parameters());
            Optimizer.clipGradNorm(model.parameters(), config.number("train.grad_clip"));
            scaler.step(opt);
            scaler.update();
          }
          double l = loss.item();
          lossSum += l;
          bar.stepBy(batch);
          bar.setExtraMessage(String.format(" loss %.3f", l));
        }
      }
      score = validate(model, validation, classes, false);
      double mean = score.meanForeground();
      ema = Double.isNaN(ema) ? mean : 0.9 * ema + 0.1 * mean;
      double criterion = data.emaBest() ? ema : mean;
      History.append(log, new History.Row(epoch + 1, lossSum / iters, mean, opt.groups().get(0).lr));
      History.plot(History.read(log), runDir.resolve("progress.png"));
      TrainingCheckpoint.Progress progress = new TrainingCheckpoint.Progress(epoch + 1, (long) (epoch + 1) * iters, Rng.generator().state(), config.toYaml());
      TrainingCheckpoint.save(last, model, false, opt, scaler, progress);
      if (criterion > best) {
        best = criterion;
        TrainingCheckpoint.save(bestFile, model, false, null, progress);
      }
      out.printf("epoch %d: train loss %.4f, validation mean foreground Dice %.3f%s (best %.3f)%n", epoch + 1, lossSum / iters, mean,
          data.emaBest() ? String.format(", EMA %.3f", ema) : "", best);
    }
    // the final validation with nnU-Net's test-time mirroring when train.mirror_tta asks for it (the epochs' is plain)
    boolean mirror = config.flag("train.mirror_tta");
    if (score == null || mirror) score = validate(model, validation, classes, mirror);
    if (mirror) out.println("final validation with test-time mirroring (the mean of the logits over four flips)");
    out.print(score.table(classNames));
    return new Result(score, best, runDir);
  }

  /** Validation: global Dice per class over the fixed validation batches, without augmentation; mirrored at test time when asked. */
  private <M extends Module & Layer> DiceScore validate(M model, List<Batches.Batch> validation, int classes, boolean mirror) {
    model.eval();
    DiceScore score = new DiceScore(classes);
    try (var scope = GradMode.noGrad(); var cast = autocast(Tensor.defaultDevice())) {
      for (Batches.Batch b : validation)
        score.add(Mirroring.logits(model, b.images(), mirror).argmax(1, false).toLongArray(), b.labels().toLongArray());
    }
    return score;
  }

  /**
   * model.checkpoint_path: a DINOv3/DINOv2 .pth (teacher or plain), or a safetensors state dict (ours, Hugging Face's
   * DINOv3 or timm's), for the backbone.
   */
  private void loadBackbone(Module model) throws IOException {
    String path = config.text("model.checkpoint_path");
    if (path == null) return;
    Path p = Path.of(path);
    Map<String, Tensor> sd = path.endsWith(".safetensors") ? org.tessera.nn.io.Safetensors.read(p).tensors()
        : TorchCheckpoint.stateDict(p, "teacher", "model", "state_dict");
    sd = StateDicts.filter(sd, "ibot|dino_head|local_cls_norm", false);
    if (sd.keySet().stream().anyMatch(k -> k.startsWith("backbone."))) sd = StateDicts.stripPrefix(sd, "backbone.");
    if (HuggingFaceDinov3.matches(sd)) sd = HuggingFaceDinov3.toOriginal(sd); // facebook/dinov3-* safetensors
    else if (TimmNames.matches(sd)) sd = TimmNames.toOriginal(sd); // timm's Eva (DINOv3) or VisionTransformer (DINOv2)
    Module encoder = model.children().get("dino_encoder");
    Module.LoadResult r = encoder.loadStateDict(sd, false);
    if (!r.shapeMismatches().isEmpty() || r.missingKeys().size() == encoder.stateDict().size())
      throw new IOException(p + ": not a checkpoint of this backbone (" + config.text("model.backbone") + " " + config.text("model.backbone_size") + "): " + r);
    out.println("loaded backbone weights from " + p + (r.clean() ? "" : " (" + r + ")"));
  }

  /** AdamW with the configured betas, or nnU-Net's SGD (momentum 0.99, Nesterov). */
  private Optimizer optimizer(List<ParamGroup> groups) {
    if (config.choice("train.optimizer", "adamw", "sgd").equals("sgd")) return new Sgd(groups, 0.99, 0, true);
    double[] betas = config.doubles("train.betas");
    if (betas == null || betas.length != 2) throw new IllegalArgumentException("config: train.betas must be two numbers, e.g. [0.9, 0.999]");
    return new Adam(groups, betas[0], betas[1], 1e-8, true);
  }

  /** AdamW groups: backbone and decoder learning rates; no weight decay on 1-D parameters (norms, biases) and tokens. */
  private List<ParamGroup> groups(Module model) {
    List<Tensor> backboneDecay = new ArrayList<>(), backboneNoDecay = new ArrayList<>(), decoderDecay = new ArrayList<>(), decoderNoDecay = new ArrayList<>();
    for (var e : model.namedParameters().entrySet()) {
      if (!e.getValue().requiresGrad()) continue;
      boolean noDecay = e.getValue().dim() <= 1 || e.getKey().contains("token");
      boolean backbone = e.getKey().startsWith("dino_encoder.");
      (backbone ? noDecay ? backboneNoDecay : backboneDecay : noDecay ? decoderNoDecay : decoderDecay).add(e.getValue());
    }
    double lr = config.number("train.lr"), blr = config.number("train.backbone_lr"), wd = config.number("train.weight_decay");
    List<ParamGroup> g = new ArrayList<>();
    if (!backboneDecay.isEmpty()) g.add(new ParamGroup(backboneDecay, blr, wd));
    if (!backboneNoDecay.isEmpty()) g.add(new ParamGroup(backboneNoDecay, blr, 0));
    if (!decoderDecay.isEmpty()) g.add(new ParamGroup(decoderDecay, lr, wd));
    if (!decoderNoDecay.isEmpty()) g.add(new ParamGroup(decoderNoDecay, lr, 0));
    return g;
  }
}
