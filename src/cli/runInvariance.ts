/**
 * Drives the engine for `modeldebug invariance`: one engine, the
 * `vae/invariance` request over the same protocol as the panel, a text table,
 * and with --out the PNG strips (galleries, counterfactuals, maps) and the
 * curve as CSV; with --json the reply.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GetExamplesRequest, InvarianceRequest, type InvarianceReply } from '../protocol/engineProtocol';
import { progressLogger, startEngine, writeJsonAtomically } from './engineSession';
import { invarianceParams, type InvarianceCommand } from './invarianceArgs';
import { imageGeometry, stripPng, type Tile } from './invariancePng';
import { formatInvariance } from './invarianceSummary';

export interface InvarianceOutcome {
  text: string;
  reply: InvarianceReply;
  files: string[];
  jsonPath?: string;
}

/** The files --out gets for a reply; `originals` are the test images by index. */
export function invarianceFiles(reply: InvarianceReply, originals: Map<number, Float32Array>): Array<{ name: string; bytes: Buffer | string }> {
  if (reply.kind === 'curve') {
    const rows = ['sigma,z2_resampled_keeps_class,z1_resampled_keeps_class,samples', ...reply.points.map((p) => `${p.sigma},${p.nuisance},${p.classUnits},${p.total}`)];
    return [{ name: 'invariance-curve.csv', bytes: `${rows.join('\n')}\n` }];
  }
  if (!imageGeometry(reply.shape)) return [];
  const original = (index: number): Tile[] => {
    const values = originals.get(index);
    return values ? [{ values, kind: 'image' }] : [];
  };
  switch (reply.kind) {
    case 'samples':
      return reply.examples.map((e) => ({
        name: `invariant-samples-${e.index}.png`,
        bytes: stripPng([...original(e.index), { values: e.reconstruction, kind: 'image' }, ...e.samples.map((s): Tile => ({ values: s.values, kind: 'image' }))], reply.shape),
      }));
    case 'counterfactuals':
      return reply.examples.map((e) => ({
        name: `counterfactuals-${e.index}.png`,
        bytes: stripPng([...original(e.index), ...e.counterfactuals.map((c): Tile => ({ values: c.values ?? new Float32Array(reply.shape.reduce((a, b) => a * b, 1)).fill(1), kind: 'image' }))], reply.shape),
      }));
    case 'divergence':
      return reply.examples.map((e) => ({
        name: `divergence-${e.index}.png`,
        bytes: stripPng([...original(e.index), ...e.maps.map((m): Tile => ({ values: m.values, kind: 'map' }))], reply.shape),
      }));
  }
}

function fileLegend(reply: InvarianceReply): string {
  switch (reply.kind) {
    case 'samples':
      return 'each PNG: the test image, its reconstruction, then the invariant samples';
    case 'counterfactuals':
      return `each PNG: the test image, then one counterfactual per class (${reply.classNames?.join(', ') ?? `0..${reply.classes - 1}`}; blank when unavailable)`;
    case 'divergence':
      return 'each PNG: the test image, the z1 (class units) map, the z2 (nuisance units) map; red raises the divergence, blue lowers it';
    case 'curve':
      return 'invariance-curve.csv: σ and the two fractions';
  }
}

export async function runInvariance(command: InvarianceCommand, log: (line: string) => void, signal?: AbortSignal): Promise<InvarianceOutcome> {
  const session = await startEngine(command.backend, log, signal);
  try {
    const params = invarianceParams(command);
    const reply = await session.engine.rpc.call(InvarianceRequest, params, { signal, onProgress: progressLogger(log) });
    const outcome: InvarianceOutcome = { text: formatInvariance(reply), reply, files: [] };
    if (command.out) {
      const originals = new Map<number, Float32Array>();
      if (reply.kind !== 'curve' && imageGeometry(reply.shape)) {
        const indices = reply.examples.map((e) => e.index);
        const examples = await session.engine.rpc.call(GetExamplesRequest, { manifestPath: params.manifestPath, split: 'test', indices }, { signal });
        for (const e of examples.examples) originals.set(e.index, e.values);
      }
      const dir = path.resolve(command.out);
      await fs.mkdir(dir, { recursive: true });
      for (const file of invarianceFiles(reply, originals)) {
        const target = path.join(dir, file.name);
        await fs.writeFile(target, file.bytes);
        outcome.files.push(target);
      }
      outcome.text += `\n\n${outcome.files.length} file(s) in ${dir}; ${fileLegend(reply)}`;
    }
    if (command.json) outcome.jsonPath = await writeJsonAtomically(command.json, { manifest: params.manifestPath, backend: session.backend.name, ...reply });
    return outcome;
  } finally {
    await session.engine.dispose();
  }
}
