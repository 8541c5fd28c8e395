package org.tessera.autograd.spec;

import java.util.function.Function;
import org.tessera.tensor.Generator;

/**
 * One row of the op-spec list: the op's name (the Tensor method it tests), whether it has a gradient, a seeded
 * generator of cases, and the tolerances of the backend-parity check (F32) and of the gradient check (F64).
 */
public record OpSpec(String name, boolean differentiable, Function<Generator, Case> cases, double rtol, double atol, double gradEps, double gradTol) {
  public static final double RTOL = 1e-4, ATOL = 1e-5, GRAD_EPS = 1e-6, GRAD_TOL = 1e-5;

  public OpSpec(String name, boolean differentiable, Function<Generator, Case> cases) {
    this(name, differentiable, cases, RTOL, ATOL, GRAD_EPS, GRAD_TOL);
  }

  public OpSpec tolerances(double rtol, double atol) {
    return new OpSpec(name, differentiable, cases, rtol, atol, gradEps, gradTol);
  }

  public OpSpec gradient(double eps, double tol) {
    return new OpSpec(name, differentiable, cases, rtol, atol, eps, tol);
  }

  /** The same spec for an op whose result has no gradient (indices, comparisons). */
  public OpSpec constant() {
    return new OpSpec(name, false, cases, rtol, atol, gradEps, gradTol);
  }

  public Case generate(long seed) {
    return cases.apply(new Generator(seed * 1_000_003L + name.hashCode()));
  }

  @Override public String toString() {
    return name;
  }
}
