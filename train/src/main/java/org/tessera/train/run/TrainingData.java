package org.tessera.train.run;

import java.util.List;
import org.tessera.train.data.Batches;

/** What the trainer trains on: random training batches, fixed validation batches, and how to pick the best epoch. */
public interface TrainingData {
  int channels();

  int batchSize();

  Batches.Maker trainBatches();

  /** The same batches every epoch. */
  List<Batches.Batch> validation();

  /** nnU-Net keeps the best checkpoint by an exponential moving average of the validation Dice (0.9 old, 0.1 new). */
  boolean emaBest();
}
