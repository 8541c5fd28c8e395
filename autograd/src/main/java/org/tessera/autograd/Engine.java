package org.tessera.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Storage;
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
        accumulate(root, g, false);
        return;
      }
      Map<Node, Tensor> grads = new IdentityHashMap<>();
      grads.put((Node) root.gradFn(), g);
      for (Node node : topologicalOrder((Node) root.gradFn())) {
        Tensor grad = grads.remove(node);
        if (grad == null) continue;
        Tensor[] inputGrads = node.apply(grad);
        for (int i = 0; i < node.inputs.length; i++) {
          Tensor input = node.inputs[i], ig = inputGrads[i];
          if (input == null || ig == null || !input.requiresGrad()) continue;
          if (!java.util.Arrays.equals(ig.shape(), input.shape()))
            throw new AssertionError(node.name() + " backward gave a gradient of shape " + Shapes.str(ig.shape()) + " for input " + i
                + " of shape " + Shapes.str(input.shape()));
          if (input.isLeaf()) accumulate(input, ig, unshared(inputGrads, i, grad, node));
          else grads.merge((Node) input.gradFn(), ig, Tensor::add);
        }
        if (!retainGraph) node.release(); // after the leaves: unshared() reads the saved tensors
      }
    }
  }

  /**
   * Leaves own their gradient, never a view of a tensor in the graph or of the caller's: the first one is a fresh
   * contiguous copy, or, when {@code unshared} (no one else can see it) and whole and contiguous, the gradient itself.
   * Taking it saves a copy of every parameter's gradient in every step (a patch embedding's forward+backward: its
   * (8,3,224,224) input gradient and (768,3,16,16) weight gradient).
   */
  private static void accumulate(Tensor leaf, Tensor g, boolean unshared) {
    Tensor own = g.to(leaf.dtype());
    boolean whole = own.isContiguous() && own.offset() == 0 && own.storage().length() == own.numel();
    boolean take = whole && (unshared || own != g); // a dtype conversion made a new tensor already
    leaf.setGrad(leaf.grad() != null ? leaf.grad().add(own) : take ? own : own.backend().copy(own, own.dtype()));
  }

  /**
   * Whether the node's gradient i is seen by nothing else: its storage is not the incoming gradient's (a backward may
   * pass that on or view it, and the root's is the caller's tensor), nor that of another of its gradients, inputs or
   * saved tensors. A backward's closure reads only its inputs and saved tensors, so what is left was made for it.
   */
  static boolean unshared(Tensor[] inputGrads, int i, Tensor grad, Node node) {
    Storage s = inputGrads[i].storage();
    if (s == grad.storage() || node.sees(s)) return false;
    for (int j = 0; j < inputGrads.length; j++)
      if (j != i && inputGrads[j] != null && inputGrads[j].storage() == s) return false;
    return true;
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
