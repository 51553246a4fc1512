import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributionKey, type AttributionKeyParts } from '../../../src/engine/cache/attributionCache';
import { ByteBudgetLru } from '../../../src/engine/cache/byteBudgetLru';
import { canonicalJson } from '../../../src/engine/cache/canonicalJson';

test('canonical JSON ignores key order and undefined fields, keeps list order, and writes -0 as 0', () => {
  const a = canonicalJson({ method: 'integratedGradients', steps: 8, baseline: { kind: 'constant', value: -0 }, extra: undefined });
  const b = canonicalJson({ baseline: { value: 0, kind: 'constant' }, steps: 8, method: 'integratedGradients' });
  assert.equal(a, b);
  assert.equal(a, '{"baseline":{"kind":"constant","value":0},"method":"integratedGradients","steps":8}');
  assert.notEqual(canonicalJson({ window: [2, 4] }), canonicalJson({ window: [4, 2] }));
  assert.equal(canonicalJson([1, undefined, 'x']), '[1,null,"x"]');
  assert.notEqual(canonicalJson({ steps: 8 }), canonicalJson({ steps: '8' }));
});

test('typed arrays are keyed by type, length and a digest of their bytes', () => {
  const values = Float32Array.from([0.5, -1, 2]);
  const key = canonicalJson({ values });
  assert.equal(key, canonicalJson({ values: Float32Array.from([0.5, -1, 2]) }));
  assert.notEqual(key, canonicalJson({ values: Float32Array.from([0.5, -1, 2.0001]) }));
  assert.notEqual(canonicalJson(new Int32Array(new Float32Array([1]).buffer)), canonicalJson(new Float32Array([1])), 'same bytes, other type');
  assert.match(key, /"\$typed":"Float32Array","length":3,"sha256":"[0-9a-f]{64}"/);
  const big = new Float32Array(1 << 16);
  assert.ok(canonicalJson({ big }).length < 200, 'large arrays do not make large keys');
  assert.equal(canonicalJson(values.subarray(1)), canonicalJson(Float32Array.from([-1, 2])), 'views digest only their own bytes');
});

test('values without a faithful JSON form are refused', () => {
  for (const bad of [Number.NaN, Infinity, () => 1, new Map(), new Date(0), { nested: { value: Number.NaN } }]) {
    assert.throws(() => canonicalJson(bad), /canonicalJson: value/);
  }
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => canonicalJson(cyclic), /nested deeper than/);
});

test('attribution keys change with the checkpoint version, the example and the settings, but not with key order', () => {
  const parts: AttributionKeyParts = {
    checkpoint: { path: '/r/ckpt/model.json', mtimeMs: 1000, size: 500 },
    examples: { path: '/r/test.npy', mtimeMs: 10, size: 9000 },
    train: { path: '/r/train.npy', mtimeMs: 10, size: 90000 },
    representationLayer: 'enc_latent',
    index: 3,
    settings: { method: 'integratedGradients', steps: 8, rule: 'gauss_legendre' },
    target: { kind: 'labelFree' },
  };
  const key = attributionKey(parts);
  assert.equal(key, attributionKey({ ...parts, settings: { rule: 'gauss_legendre', steps: 8, method: 'integratedGradients' } }));
  const variants: AttributionKeyParts[] = [
    { ...parts, checkpoint: { ...parts.checkpoint, mtimeMs: 1001 } },
    { ...parts, checkpoint: { ...parts.checkpoint, size: 501 } },
    { ...parts, examples: { ...parts.examples, mtimeMs: 11 } },
    { ...parts, index: 4 },
    { ...parts, representationLayer: 'enc_dense1' },
    { ...parts, settings: { ...parts.settings, steps: 9 } },
    { ...parts, target: { kind: 'latentUnit', unit: 0 } },
    { ...parts, target: { kind: 'class', classIndex: 0 } },
  ];
  for (const variant of variants) assert.notEqual(attributionKey(variant), key, JSON.stringify(variant));
});

test('the LRU evicts least recently used entries until the byte budget holds', () => {
  const lru = new ByteBudgetLru<Uint8Array>(100, (v) => v.byteLength);
  lru.set('a', new Uint8Array(40));
  lru.set('b', new Uint8Array(40));
  assert.equal(lru.bytes, 80);
  assert.ok(lru.get('a'), 'touching a makes b the oldest');
  lru.set('c', new Uint8Array(40));
  assert.deepEqual(lru.keys(), ['a', 'c']);
  assert.equal(lru.bytes, 80);
  lru.set('d', new Uint8Array(90));
  assert.deepEqual(lru.keys(), ['d']);
  assert.equal(lru.bytes, 90);
  assert.equal(lru.set('huge', new Uint8Array(101)), false, 'an entry over the whole budget is not kept');
  assert.equal(lru.has('huge'), false);
  assert.deepEqual(lru.keys(), ['d'], 'and evicts nothing');
  lru.set('d', new Uint8Array(10));
  assert.equal(lru.bytes, 10, 'replacing an entry replaces its size');
  assert.equal(lru.delete('d'), true);
  assert.equal(lru.bytes, 0);
  assert.equal(lru.size, 0);
  assert.equal(lru.get('a'), undefined);
  assert.throws(() => new ByteBudgetLru<number>(-1, () => 0), /maxBytes/);
});
