/**
 * Runs a script in a throwaway Node process (the Electron binary in Node mode
 * when we run inside VS Code). Native addons such as tfjs-node can segfault
 * or hang while loading; doing that in a child means the engine only learns
 * that the probe failed instead of dying with it.
 */
import { spawn } from 'node:child_process';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

const STDERR_TAIL_CHARS = 2_000;

export function probeInChild(script: string, args: readonly string[], timeoutMs: number): Promise<ProbeResult> {
  if (typeof script !== 'string' || script.length === 0) throw new Error('probeInChild: script must be a non-empty string');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`probeInChild: timeoutMs must be a positive number, got ${timeoutMs}`);

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let stderr = '';
    const child = spawn(process.execPath, ['-e', script, ...args], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, reason: `probe did not finish within ${timeoutMs} ms and was killed` });
    }, timeoutMs);
    // Child events arrive asynchronously, after `timer` exists.
    function finish(result: ProbeResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    }

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', (error) => finish({ ok: false, reason: `probe could not start: ${error.message}` }));
    child.on('close', (code, signal) => {
      if (code === 0) {
        finish({ ok: true });
        return;
      }
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      const detail = lastMeaningfulLine(stderr);
      finish({ ok: false, reason: detail ? `probe ${how}: ${detail}` : `probe ${how}` });
    });
  });
}

function lastMeaningfulLine(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith('at '));
  const errorLine = [...lines].reverse().find((line) => /error/i.test(line));
  return (errorLine ?? lines[lines.length - 1] ?? '').slice(0, 300);
}
