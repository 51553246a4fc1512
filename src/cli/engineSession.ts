/**
 * Starts the engine for a CLI command: the same child process and protocol
 * as the extension, so the CLI exercises the real path.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EngineProcess } from '../host/engineProcess';
import { InitializeRequest, type BackendInfo, type BackendName } from '../protocol/engineProtocol';
import type { Progress } from '../protocol/rpc';
import { formatProgress } from './progressText';

export interface EngineEntry {
  enginePath: string;
  execArgv: string[];
}

export function engineEntry(): EngineEntry {
  // From the bundle, dist/cli.js sits beside dist/engine.js; from sources (tests), run the engine through tsx.
  if (__filename.endsWith('.ts')) return { enginePath: path.join(__dirname, '..', 'engine', 'main.ts'), execArgv: ['--import', 'tsx'] };
  return { enginePath: path.join(__dirname, 'engine.js'), execArgv: [] };
}

export interface EngineSession {
  engine: EngineProcess;
  backend: BackendInfo;
}

/** `entry` overrides where the engine's code is (the bench runs the bundle from sources). */
export async function startEngine(backend: BackendName | undefined, log: (line: string) => void, signal?: AbortSignal, entry: EngineEntry = engineEntry()): Promise<EngineSession> {
  const engine = EngineProcess.start({
    ...entry,
    env: backend ? { MODELDEBUG_BACKEND: backend } : {},
    onLog: ({ level, message }) => {
      if (level !== 'info' || process.env.MODELDEBUG_VERBOSE) log(`engine ${level}: ${message}`);
    },
  });
  try {
    const info = await engine.rpc.call(InitializeRequest, backend ? { preferredBackend: backend } : {}, { signal });
    log(`backend: ${info.name}${info.skipped.length ? ` (skipped: ${info.skipped.join('; ')})` : ''}`);
    return { engine, backend: info };
  } catch (error) {
    await engine.dispose();
    throw error;
  }
}

/** Progress lines at most once a second. */
export function progressLogger(log: (line: string) => void): (progress: Progress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    log(formatProgress(progress));
  };
}

/** Typed arrays become lists, NaN becomes null: plain JSON any tool can read. */
export function toPlainJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v), 1);
}

/** Writes `text` to `file` (its folder made if need be) without ever leaving a half-written file where the user's old one was. */
export async function writeTextAtomically(file: string, text: string): Promise<string> {
  const target = path.resolve(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(temp, text);
  await fs.rename(temp, target);
  return target;
}

/** `value` as plain JSON (see toPlainJson), written atomically. */
export async function writeJsonAtomically(file: string, value: unknown): Promise<string> {
  return writeTextAtomically(file, toPlainJson(value));
}
