package org.tessera.nn;

import org.tessera.tensor.DType;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * Loss functions with PyTorch's, nnU-Net's and Mask2Former's exact definitions, composed of differentiable ops.
 */
public final class Losses {
  private Losses() {}

  /**
   * torch.nn.functional.cross_entropy for class-index targets: logits (N, C, *), target (N, *) integer; optional
   * class weights (C); targets equal to ignoreIndex contribute nothing; label smoothing ε mixes in the uniform
   * distribution. The mean divides by the summed weights of the counted targets, as torch does.
   */
  public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
    if (logits.dim() < 2 || target.dim() != logits.dim() - 1 || target.size(0) != logits.size(0))
      throw new IllegalArgumentException("cross_entropy: expected logits (N, C, *) and target (N, *), got " + Shapes.str(logits.shape()) + " and "
          + Shapes.str(target.shape()));
    if (target.dtype().floating) throw new IllegalArgumentException("cross_entropy: class-index targets must be integers, got " + target.dtype());
    int classes = logits.size(1);
    Tensor logp = logits.logSoftmax(1);
    Tensor valid = target.ne(ignoreIndex);
    long[] values = target.toLongArray();
    for (long v : values)
      if (v != ignoreIndex && (v < 0 || v >= classes))
        throw new IndexOutOfBoundsException("cross_entropy: target " + v + " is out of range for " + classes + " classes (ignore_index " + ignoreIndex + ")");
    Tensor safeTarget = target.where(valid, 0).to(DType.I64).unsqueeze(1);
    Tensor picked = logp.gather(1, safeTarget).squeeze(1); // (N, *)
    Tensor w = weight == null ? Tensor.ones(logits.dtype(), logits.device(), classes) : weight.to(logits.dtype());
    Tensor wt = w.indexSelect(0, safeTarget.reshape(-1)).reshape(target.shape()).mul(valid.to(logits.dtype()));
    Tensor nll = picked.mul(wt).neg();
    Tensor loss = nll;
    Tensor smooth = null;
    if (labelSmoothing > 0) {
      int[] wShape = new int[logits.dim()];
      java.util.Arrays.fill(wShape, 1);
      wShape[1] = classes;
      smooth = logp.mul(w.reshape(wShape)).sum(1).neg().mul(valid.to(logits.dtype())); // (N, *)
    }
    return switch (reduction) {
      case NONE -> smooth == null ? loss : loss.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing / classes));
      case SUM -> smooth == null ? loss.sum() : loss.sum().mul(1 - labelSmoothing).add(smooth.sum().mul(labelSmoothing / classes));
      case MEAN -> {
        Tensor denominator = wt.sum();
        Tensor mean = loss.sum().div(denominator);
        yield smooth == null ? mean : mean.mul(1 - labelSmoothing).add(smooth.sum().div(denominator).mul(labelSmoothing / classes));
      }
    };
  }

  /** torch's binary_cross_entropy_with_logits, numerically stable, with an optional pos_weight (broadcast over the last dim). */
  public static Tensor binaryCrossEntropyWithLogits(Tensor x, Tensor target, Tensor posWeight, Reduction reduction) {
    Tensor t = target.to(x.dtype());
    Tensor logSigmoidTerm = x.abs().neg().exp().log1p().add(x.neg().clampMin(0)); // log(1 + e^-x), stably
    Tensor logWeight = posWeight == null ? null : posWeight.sub(1).mul(t).add(1);
    Tensor loss = t.neg().add(1).mul(x).add(logWeight == null ? logSigmoidTerm : logWeight.mul(logSigmoidTerm));
    return reduction.apply(loss);
  }

  /**
   * nnU-Net's MemoryEfficientSoftDiceLoss on softmax probabilities: logits (B, C, *), target (B, *) integer labels;
   * per class (2·intersection + smooth) / max(pred + gt + smooth, 1e-8), summed over space (and the batch with
   * batchDice), background left out unless doBg; returns −mean dice.
   */
  public static Tensor softDice(Tensor logits, Tensor target, double smooth, boolean doBg, boolean batchDice) {
    int classes = logits.size(1);
    Tensor probs = logits.softmax(1);
    Tensor onehot = target.to(DType.I64).oneHot(classes).to(logits.dtype()); // (B, *, C)
    int[] perm = new int[onehot.dim()];
    perm[0] = 0;
    perm[1] = onehot.dim() - 1;
    for (int i = 2; i < perm.length; i++) perm[i] = i - 1;
    onehot = onehot.permute(perm); // (B, C, *)
    if (!doBg) {
      probs = probs.narrow(1, 1, classes - 1);
      onehot = onehot.narrow(1, 1, classes - 1);
    }
    int[] axes = new int[logits.dim() - (batchDice ? 1 : 2)];
    int k = 0;
    if (batchDice) axes[k++] = 0;
    for (int i = 2; i < logits.dim(); i++) axes[k++] = i;
    Tensor intersect = probs.mul(onehot).sum(axes, false), sumPred = probs.sum(axes, false), sumGt = onehot.sum(axes, false);
    Tensor dice = intersect.mul(2).add(smooth).div(sumGt.add(sumPred).add(smooth).clampMin(1e-8));
    return dice.mean().neg();
  }

  /** nnU-Net's DC_and_CE_loss with weights 1 and 1: cross-entropy plus the soft Dice loss above. */
  public static Tensor diceCe(Tensor logits, Tensor target, double smooth, boolean doBg, boolean batchDice) {
    return crossEntropy(logits, target, null, -100, Reduction.MEAN, 0).add(softDice(logits, target, smooth, doBg, batchDice));
  }

  /** Mask2Former's sigmoid_ce_loss on point samples (masks, points): mean over points, summed, / numMasks. */
  public static Tensor sigmoidCeMaskLoss(Tensor logits, Tensor targets, double numMasks) {
    return binaryCrossEntropyWithLogits(logits, targets, null, Reduction.NONE).mean(1).sum().div(numMasks);
  }

  /** Mask2Former's dice_loss on point samples: 1 − (2·Σ p·t + 1) / (Σ p + Σ t + 1) per mask, summed, / numMasks. */
  public static Tensor diceMaskLoss(Tensor logits, Tensor targets, double numMasks) {
    Tensor p = logits.sigmoid(), t = targets.to(logits.dtype());
    Tensor numerator = p.mul(t).sum(-1).mul(2), denominator = p.sum(-1).add(t.sum(-1));
    return numerator.add(1).div(denominator.add(1)).neg().add(1).sum().div(numMasks);
  }

  /** torchvision's sigmoid_focal_loss: BCE · (1 − p_t)^γ, weighted by α_t when α ≥ 0. */
  public static Tensor sigmoidFocalLoss(Tensor logits, Tensor targets, double alpha, double gamma, Reduction reduction) {
    Tensor t = targets.to(logits.dtype());
    Tensor p = logits.sigmoid();
    Tensor ce = binaryCrossEntropyWithLogits(logits, t, null, Reduction.NONE);
    Tensor pt = p.mul(t).add(p.neg().add(1).mul(t.neg().add(1)));
    Tensor loss = ce.mul(pt.neg().add(1).pow(gamma));
    if (alpha >= 0) loss = loss.mul(t.mul(alpha).add(t.neg().add(1).mul(1 - alpha)));
    return reduction.apply(loss);
  }
}
