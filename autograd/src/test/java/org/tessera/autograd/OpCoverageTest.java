package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tessera.autograd.spec.OpSpec;
import org.tessera.autograd.spec.OpSpecs;
import org.tessera.tensor.ElementwiseOps;
import org.tessera.tensor.MovementOps;
import org.tessera.tensor.NnOps;
import org.tessera.tensor.ReduceOps;
import org.tessera.tensor.VisionOps;

/** Every public Tensor op has a row in the op-spec list. */
class OpCoverageTest {
  /** Methods of the op mixins that are not ops: accessors and helpers, each tested on its own elsewhere. */
  static final Set<String> NOT_OPS = Set.of("self", "scalarLike", "allClose");

  @Test
  void everyTensorOpHasASpec() {
    Set<String> ops = new TreeSet<>(Set.of("cat", "stack"));
    for (Class<?> mixin : new Class<?>[] {ElementwiseOps.class, MovementOps.class, ReduceOps.class, NnOps.class, VisionOps.class})
      for (Method m : mixin.getDeclaredMethods())
        if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic() && !NOT_OPS.contains(m.getName())) ops.add(m.getName());
    Set<String> specified = OpSpecs.all().stream().map(OpSpec::name).collect(Collectors.toSet());
    ops.removeAll(specified);
    assertEquals(Set.of(), ops, "ops without a spec row in OpSpecs");
  }
}
