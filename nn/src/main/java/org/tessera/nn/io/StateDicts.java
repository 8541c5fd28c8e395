package org.tessera.nn.io;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.tessera.tensor.Tensor;

/** Key mapping for checkpoints from other code bases: prefixes, regex renames and filters, as checkpoint filters use them. */
public final class StateDicts {
  private StateDicts() {}

  /** Keeps the keys that start with prefix, without it (e.g. "backbone."); the others are dropped. */
  public static Map<String, Tensor> stripPrefix(Map<String, Tensor> sd, String prefix) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    sd.forEach((k, v) -> {
      if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
    });
    return out;
  }

  public static Map<String, Tensor> addPrefix(Map<String, Tensor> sd, String prefix) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    sd.forEach((k, v) -> out.put(prefix + k, v));
    return out;
  }

  /** Renames every key matching regex by replacement ($1 for groups); an error when two keys end up the same. */
  public static Map<String, Tensor> rename(Map<String, Tensor> sd, String regex, String replacement) {
    Pattern p = Pattern.compile(regex);
    Map<String, Tensor> out = new LinkedHashMap<>();
    sd.forEach((k, v) -> {
      String nk = p.matcher(k).replaceAll(replacement);
      if (out.put(nk, v) != null) throw new IllegalArgumentException("rename '" + regex + "' → '" + replacement + "' maps two keys to '" + nk + "'");
    });
    return out;
  }

  /** Keeps (keep = true) or drops the keys in which regex is found, e.g. drop "ibot|dino_head". */
  public static Map<String, Tensor> filter(Map<String, Tensor> sd, String regex, boolean keep) {
    Pattern p = Pattern.compile(regex);
    Map<String, Tensor> out = new LinkedHashMap<>();
    sd.forEach((k, v) -> {
      if (p.matcher(k).find() == keep) out.put(k, v);
    });
    return out;
  }
}
