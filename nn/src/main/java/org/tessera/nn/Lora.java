package org.tessera.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** PEFT-style LoRA over a model: every Linear whose dotted name matches a pattern (e.g. {@code .*qkv}) gets an adapter. */
public final class Lora {
  private Lora() {}

  /** Enables LoRA on the matching Linear layers; returns their names. No match is an error naming the pattern. */
  public static List<String> apply(Module model, String namePattern, int r, double alpha, double dropout) {
    Pattern p = Pattern.compile(namePattern);
    List<String> done = new ArrayList<>();
    for (Map.Entry<String, Module> e : model.namedModules().entrySet())
      if (e.getValue() instanceof Linear linear && p.matcher(e.getKey()).matches()) {
        linear.enableLora(r, alpha, dropout);
        done.add(e.getKey());
      }
    if (done.isEmpty()) throw new IllegalArgumentException("LoRA: no Linear layer matches '" + namePattern + "'");
    return done;
  }

  /** Folds every adapter into its base weight (for inference or export). */
  public static void merge(Module model) {
    for (Module m : model.namedModules().values()) if (m instanceof Linear l) l.merge();
  }
}
