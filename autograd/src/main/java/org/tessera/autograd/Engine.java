package org.tessera.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/** Reverse-mode differentiation: visits the graph from the root in reverse topological order, summing gradients. */
final class Engine {
  private Engine() {}

  static void backward(Tensor root, Tensor upstream, boolean retainGraph) {
    if (!root.requiresGrad())
      throw new IllegalStateException("backward(): the tensor does not require grad and has no grad_fn (shape " + Shapes.str(root.shape()) + ")");
    if (!java.util.Arrays.equals(root.shape(), upstream.shape()))
      throw new IllegalArgumentException("backward(): the upstream gradient has shape " + Shapes.str(upstream.shape())
          + " but the tensor has shape " + Shapes.str(root.shape()));
    try (var scope = GradMode.noGrad()) {
      Tensor g = upstream.to(root.dtype()).to(root.device());
      if (root.isLeaf()) {
        accumulate(root, g);
        return;
      }
      Map<Node, Tensor> grads = new IdentityHashMap<>();
      grads.put((Node) root.gradFn(), g);
      for (Node node : topologicalOrder((Node) root.gradFn())) {
        Tensor grad = grads.remove(node);
        if (grad == null) continue;
        Tensor[] inputGrads = node.apply(grad);
        if (!retainGraph) node.release();
        for (int i = 0; i < node.inputs.length; i++) {
          Tensor input = node.inputs[i], ig = inputGrads[i];
          if (input == null || ig == null || !input.requiresGrad()) continue;
          if (!java.util.Arrays.equals(ig.shape(), input.shape()))
            throw new AssertionError(node.name() + " backward gave a gradient of shape " + Shapes.str(ig.shape()) + " for input " + i
                + " of shape " + Shapes.str(input.shape()));
          if (input.isLeaf()) accumulate(input, ig);
          else grads.merge((Node) input.gradFn(), ig, Tensor::add);
        }
      }
    }
  }

  /** Leaves own their gradient: a fresh contiguous copy, never a view of a tensor in the graph. */
  private static void accumulate(Tensor leaf, Tensor g) {
    Tensor own = g.to(leaf.dtype());
    leaf.setGrad(leaf.grad() == null ? own.backend().copy(own, own.dtype()) : leaf.grad().add(own));
  }

  /** Nodes reachable from the root, each before every node it depends on (iterative DFS, so deep graphs are fine). */
  private static List<Node> topologicalOrder(Node root) {
    List<Node> postOrder = new ArrayList<>();
    Map<Node, Boolean> visited = new IdentityHashMap<>();
    Deque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {root, 0});
    visited.put(root, true);
    while (!stack.isEmpty()) {
      Object[] frame = stack.peek();
      Node node = (Node) frame[0];
      int next = (Integer) frame[1];
      if (next < node.inputs.length) {
        frame[1] = next + 1;
        Tensor input = node.inputs[next];
        if (input != null && input.gradFn() instanceof Node child && visited.putIfAbsent(child, true) == null) stack.push(new Object[] {child, 0});
      } else {
        stack.pop();
        postOrder.add(node);
      }
    }
    Collections.reverse(postOrder);
    return postOrder;
  }
}
