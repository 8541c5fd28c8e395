package org.tessera.nn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.tessera.autograd.GradMode;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * A layer or model: named parameters, buffers and child modules, registered under the names PyTorch gives them, so
 * that {@link #stateDict()} uses the checkpoint's keys ({@code blocks.0.attn.qkv.weight}). Training mode lives here,
 * not in forward calls. Parameters are tensors that require gradients; loading a state dict copies into them, so
 * references held by optimizers stay valid.
 */
public abstract class Module {
  private final Map<String, Tensor> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Set<String> nonPersistent = new HashSet<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private boolean training = true;

  /** Registers a child module under its PyTorch attribute name; returns it, for {@code final} fields. */
  protected <M extends Module> M register(String name, M child) {
    checkName(name);
    children.put(name, child);
    return child;
  }

  /** Registers a parameter (it is made to require gradients); returns it. */
  protected Tensor parameter(String name, Tensor value) {
    checkName(name);
    parameters.put(name, value.requiresGrad(true));
    return value;
  }

  /** Registers a buffer: state that is not trained (running statistics); persistent ones are in the state dict. */
  protected Tensor buffer(String name, Tensor value, boolean persistent) {
    checkName(name);
    buffers.put(name, value);
    if (!persistent) nonPersistent.add(name);
    return value;
  }

  /** Registers a persistent buffer from outside, as torch's register_buffer (e.g. a mask a layer's owner applies). */
  public Tensor registerBuffer(String name, Tensor value) {
    return buffer(name, value, true);
  }

  /** Removes a parameter registration (the tensor itself is untouched), for modules that re-home their weights. */
  protected void unregisterParameter(String name) {
    if (parameters.remove(name) == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
  }

  private void checkName(String name) {
    if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("module member names are non-empty and have no dot: '" + name + "'");
    if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name))
      throw new IllegalArgumentException(getClass().getSimpleName() + " already has a member named '" + name + "'");
  }

  public Map<String, Module> children() {
    return java.util.Collections.unmodifiableMap(children);
  }

  /** Parameters with their dotted names, this module's first, then each child's, in registration order. */
  public Map<String, Tensor> namedParameters() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    visit("", (prefix, m) -> m.parameters.forEach((k, v) -> out.put(prefix + k, v)));
    return out;
  }

  public List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** Every module with its dotted name ("" for this one), parents before children. */
  public Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    visit("", (prefix, m) -> out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), m));
    return out;
  }

  private void visit(String prefix, java.util.function.BiConsumer<String, Module> f) {
    f.accept(prefix, this);
    children.forEach((name, child) -> child.visit(prefix + name + ".", f));
  }

  /** Parameters and persistent buffers by PyTorch's dotted names, in PyTorch's order. */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    visit("", (prefix, m) -> {
      m.parameters.forEach((k, v) -> out.put(prefix + k, v));
      m.buffers.forEach((k, v) -> {
        if (!m.nonPersistent.contains(k)) out.put(prefix + k, v);
      });
    });
    return out;
  }

  /** What a state dict left out, what it had that this module lacks, and which shapes disagree. */
  public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys, List<String> shapeMismatches) {
    public boolean clean() {
      return missingKeys.isEmpty() && unexpectedKeys.isEmpty() && shapeMismatches.isEmpty();
    }

    @Override public String toString() {
      return "missing keys " + missingKeys + ", unexpected keys " + unexpectedKeys + ", shape mismatches " + shapeMismatches;
    }
  }

  /**
   * Copies tensors into this module's parameters and buffers by name (converting dtype and device). A shape
   * mismatch is never loaded. With {@code strict}, any missing or unexpected key or mismatch is an error listing
   * them all, and nothing is loaded.
   */
  public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
    Map<String, Tensor> own = stateDict();
    List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
    for (String k : own.keySet()) if (!state.containsKey(k)) missing.add(k);
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      Tensor target = own.get(e.getKey());
      if (target == null) unexpected.add(e.getKey());
      else if (!java.util.Arrays.equals(target.shape(), e.getValue().shape()))
        mismatched.add(e.getKey() + ": checkpoint " + Shapes.str(e.getValue().shape()) + ", model " + Shapes.str(target.shape()));
    }
    LoadResult result = new LoadResult(missing, unexpected, mismatched);
    if (strict && !result.clean()) throw new IllegalArgumentException("loadStateDict(strict) into " + getClass().getSimpleName() + ": " + result);
    try (var scope = GradMode.noGrad()) {
      for (Map.Entry<String, Tensor> e : state.entrySet()) {
        Tensor target = own.get(e.getKey());
        if (target != null && java.util.Arrays.equals(target.shape(), e.getValue().shape()))
          target.copy_(e.getValue().to(target.device()));
      }
    }
    return result;
  }

  public boolean isTraining() {
    return training;
  }

  /** Sets training mode here and in every child (dropout, batch-norm statistics); returns this. */
  public Module train(boolean on) {
    visit("", (p, m) -> m.training = on);
    return this;
  }

  public Module eval() {
    return train(false);
  }

  /** Freezes (false) or unfreezes (true) every parameter of this module and its children. */
  public Module requiresGrad(boolean on) {
    for (Tensor p : parameters()) p.requiresGrad(on);
    return this;
  }

  /** Calls f on every module, children first, then this one (torch's apply); returns this. */
  public Module apply(Consumer<Module> f) {
    children.values().forEach(c -> c.apply(f));
    f.accept(this);
    return this;
  }

  public long parameterCount(boolean trainableOnly) {
    long n = 0;
    for (Tensor p : parameters()) if (!trainableOnly || p.requiresGrad()) n += p.numel();
    return n;
  }

  /** "trainable / total parameters" and, with {@code perModule}, one such line per direct child. */
  public String summary(boolean perModule) {
    StringBuilder sb = new StringBuilder(String.format("%s: %,d trainable / %,d parameters%n", getClass().getSimpleName(), parameterCount(true), parameterCount(false)));
    if (perModule)
      children.forEach((name, c) -> sb.append(String.format("  %-24s %-20s %,14d / %,d%n", name, c.getClass().getSimpleName(), c.parameterCount(true), c.parameterCount(false))));
    return sb.toString();
  }
}
