/** Quadrature rules on [0, 1] for the integrated-gradients path integral. */
import { assertInteger } from './validate';

export type QuadratureRule = 'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid' | 'gauss_legendre';

export const QUADRATURE_RULES: readonly QuadratureRule[] = ['riemann_left', 'riemann_right', 'riemann_middle', 'riemann_trapezoid', 'gauss_legendre'];

export interface Quadrature {
  /** Points alpha in [0, 1]. */
  nodes: Float64Array;
  /** Weights summing to 1. */
  weights: Float64Array;
}

/** P_n(x) and P_n'(x) by the three-term recurrence; valid for |x| < 1. */
function legendre(n: number, x: number): { value: number; derivative: number } {
  let previous = 1;
  let value = x;
  for (let k = 2; k <= n; k++) {
    const next = ((2 * k - 1) * x * value - (k - 1) * previous) / k;
    previous = value;
    value = next;
  }
  return { value, derivative: (n * (x * value - previous)) / (x * x - 1) };
}

/**
 * Gauss-Legendre nodes and weights on [-1, 1]: the roots of P_n found by
 * Newton's method from Tricomi's initial guesses, w = 2 / ((1 - x^2) P_n'(x)^2).
 */
export function gaussLegendre(n: number): Quadrature {
  assertInteger(n, 'n', 1);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iteration = 0; iteration < 100; iteration++) {
      const { value, derivative } = legendre(n, x);
      const step = value / derivative;
      x -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    const { derivative } = legendre(n, x);
    const weight = 2 / ((1 - x * x) * derivative * derivative);
    // Roots come in +-x pairs; writing both keeps the nodes sorted ascending.
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weight;
    weights[n - 1 - i] = weight;
  }
  return { nodes, weights };
}

/** `steps` nodes of the rule on [0, 1]; the weights sum to 1. */
export function quadrature(rule: QuadratureRule, steps: number): Quadrature {
  assertInteger(steps, 'steps', rule === 'riemann_trapezoid' ? 2 : 1);
  const nodes = new Float64Array(steps);
  const weights = new Float64Array(steps).fill(1 / steps);
  switch (rule) {
    case 'riemann_left':
      for (let k = 0; k < steps; k++) nodes[k] = k / steps;
      break;
    case 'riemann_right':
      for (let k = 0; k < steps; k++) nodes[k] = (k + 1) / steps;
      break;
    case 'riemann_middle':
      for (let k = 0; k < steps; k++) nodes[k] = (k + 0.5) / steps;
      break;
    case 'riemann_trapezoid':
      for (let k = 0; k < steps; k++) {
        nodes[k] = k / (steps - 1);
        weights[k] = (k === 0 || k === steps - 1 ? 0.5 : 1) / (steps - 1);
      }
      break;
    case 'gauss_legendre': {
      const gl = gaussLegendre(steps);
      for (let k = 0; k < steps; k++) {
        nodes[k] = (gl.nodes[k]! + 1) / 2;
        weights[k] = gl.weights[k]! / 2;
      }
      break;
    }
    default:
      throw new Error(`rule must be one of ${QUADRATURE_RULES.join(', ')}, got ${String(rule)}`);
  }
  return { nodes, weights };
}
