package org.tessera.tensor;

/** Elementwise functions of two tensors. Comparisons and logical ops produce BOOL. */
public enum BinaryOp {
  ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, ATAN2,
  EQ, NE, LT, LE, GT, GE, AND, OR, XOR;

  public boolean producesBool() {
    return ordinal() >= EQ.ordinal();
  }

  public boolean logical() {
    return this == AND || this == OR || this == XOR;
  }

  /** The definition every backend agrees with. maximum/minimum propagate NaN, as torch does. */
  public double apply(double x, double y) {
    return switch (this) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case POW -> Math.pow(x, y);
      case MAXIMUM -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
      case MINIMUM -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
      case ATAN2 -> Math.atan2(x, y);
      case EQ -> x == y ? 1 : 0;
      case NE -> x != y ? 1 : 0;
      case LT -> x < y ? 1 : 0;
      case LE -> x <= y ? 1 : 0;
      case GT -> x > y ? 1 : 0;
      case GE -> x >= y ? 1 : 0;
      case AND -> x != 0 && y != 0 ? 1 : 0;
      case OR -> x != 0 || y != 0 ? 1 : 0;
      case XOR -> (x != 0) != (y != 0) ? 1 : 0;
    };
  }

  /** Exact integer arithmetic for integer operands. DIV floors (torch.floor_divide); Tensor.div promotes integers to float first. */
  public long applyLong(long x, long y) {
    return switch (this) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> Math.floorDiv(x, y);
      case POW -> (long) Math.pow(x, y);
      case MAXIMUM -> Math.max(x, y);
      case MINIMUM -> Math.min(x, y);
      case ATAN2 -> (long) Math.atan2(x, y);
      default -> (long) apply(x, y);
    };
  }
}
