import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussLegendre, quadrature, QUADRATURE_RULES } from '../../../src/engine/attribution/quadrature';
import { expectClose } from '../metrics/testUtils';

test('Gauss-Legendre with n nodes integrates x^k exactly on [-1, 1] for k <= 2n - 1', () => {
  for (const n of [1, 2, 3, 5, 8, 16, 33, 64]) {
    const { nodes, weights } = gaussLegendre(n);
    for (let k = 0; k <= 2 * n - 1; k += Math.max(1, Math.floor(n / 4))) {
      let integral = 0;
      for (let i = 0; i < n; i++) integral += weights[i]! * nodes[i]! ** k;
      const exact = k % 2 === 0 ? 2 / (k + 1) : 0;
      expectClose(integral, exact, 1e-12, 1e-11);
    }
  }
});

test('Gauss-Legendre nodes are sorted, inside (-1, 1) and symmetric', () => {
  const { nodes, weights } = gaussLegendre(9);
  for (let i = 0; i < 9; i++) {
    assert.ok(nodes[i]! > -1 && nodes[i]! < 1);
    if (i > 0) assert.ok(nodes[i]! > nodes[i - 1]!);
    expectClose(nodes[i]!, -nodes[8 - i]!, 1e-15, 0);
    expectClose(weights[i]!, weights[8 - i]!, 1e-15, 0);
  }
  expectClose(nodes[4]!, 0, 1e-15, 0);
});

test('every rule has weights summing to 1 and nodes in [0, 1]', () => {
  for (const rule of QUADRATURE_RULES) {
    for (const steps of [2, 7, 50]) {
      const { nodes, weights } = quadrature(rule, steps);
      assert.equal(nodes.length, steps);
      expectClose(weights.reduce((a, b) => a + b, 0), 1, 1e-12, 0);
      for (const a of nodes) assert.ok(a >= 0 && a <= 1, `${rule}: node ${a}`);
    }
  }
});

test('Riemann rules place their nodes at the left, right and middle of each step', () => {
  expectClose(quadrature('riemann_left', 4).nodes, [0, 0.25, 0.5, 0.75], 0, 0);
  expectClose(quadrature('riemann_right', 4).nodes, [0.25, 0.5, 0.75, 1], 0, 0);
  expectClose(quadrature('riemann_middle', 4).nodes, [0.125, 0.375, 0.625, 0.875], 0, 0);
  const trapezoid = quadrature('riemann_trapezoid', 5);
  expectClose(trapezoid.nodes, [0, 0.25, 0.5, 0.75, 1], 0, 0);
  expectClose(trapezoid.weights, [0.125, 0.25, 0.25, 0.25, 0.125], 1e-15, 0);
});

test('rules integrate a smooth function with the expected orders of accuracy', () => {
  const integrate = (rule: Parameters<typeof quadrature>[0], steps: number) => {
    const { nodes, weights } = quadrature(rule, steps);
    return nodes.reduce((sum, a, i) => sum + weights[i]! * Math.exp(a), 0);
  };
  const exact = Math.E - 1;
  const left = Math.abs(integrate('riemann_left', 20) - exact);
  const middle = Math.abs(integrate('riemann_middle', 20) - exact);
  const gauss = Math.abs(integrate('gauss_legendre', 6) - exact);
  assert.ok(left > 0.01 && left < 0.1, `left error ${left}`);
  assert.ok(middle < left / 50, `middle error ${middle}`);
  assert.ok(gauss < 1e-12, `gauss error ${gauss}`);
});

test('bad step counts and rules are rejected by name', () => {
  assert.throws(() => quadrature('riemann_left', 0), /steps must be an integer/);
  assert.throws(() => quadrature('riemann_trapezoid', 1), /steps must be an integer in \[2/);
  assert.throws(() => quadrature('simpson' as never, 4), /rule must be one of/);
  assert.throws(() => gaussLegendre(2.5), /n must be an integer/);
});
