/**
 * The host treats whatever the webview posts as untrusted: 1,000 malformed
 * messages must be answered with errors (or ignored when they are not
 * requests), never reach the engine, never throw and never leave an
 * unhandled rejection, and the panel must still work afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_ENVELOPE_TAG, PanelReadyRequest, defaultExampleSettings, PanelExampleImportanceRequest } from '../../../src/protocol/webviewProtocol';
import { mulberry32 } from '../../../src/engine/attribution/random';
import { harness } from './fixtures/panelHarness';

const METHODS = ['panel/explain', 'panel/reveal', 'panel/attribute', 'panel/units', 'panel/consistency', 'panel/sanity', 'panel/exampleImportance', 'panel/buildIndex', 'panel/suspicious', 'panel/exampleConsistency', 'panel/compareExamples', 'panel/neon', 'panel/semantic', 'panel/invariance', 'panel/nope', '__proto__', ''];

function junkValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * 14);
  switch (pick) {
    case 0: return null;
    case 1: return undefined;
    case 2: return NaN;
    case 3: return -1e308 * (random() < 0.5 ? 10 : 1);
    case 4: return 2 ** 53 + 2;
    case 5: return -3.5;
    case 6: return '\0'.repeat(3) + '../../etc/passwd';
    case 7: return '<img src=x onerror=alert(1)>';
    case 8: return 'x'.repeat(Math.floor(random() * 5000));
    case 9: return depth < 3 ? [junkValue(random, depth + 1), junkValue(random, depth + 1)] : [];
    case 10: return depth < 3 ? { testIndex: junkValue(random, depth + 1), settings: junkValue(random, depth + 1), extra: 1 } : {};
    case 11: return JSON.parse('{"__proto__": {"polluted": true}, "testIndex": 0}');
    case 12: return new Float32Array(4);
    default: return random() < 0.5;
  }
}

function malformed(random: () => number, page: string, n: number, forgedPages: boolean): unknown {
  // Forged page ids retire the live page (as a reload does), so they come last.
  const kind = n % (forgedPages ? 6 : 5);
  const id = n + 1000;
  const method = METHODS[Math.floor(random() * METHODS.length)]!;
  switch (kind) {
    case 0:
      return junkValue(random);
    case 1:
      return { tag: 'not-our-tag', page, message: { kind: 'request', id, method: 'panel/ready', params: {} } };
    case 2:
      return { tag: PAGE_ENVELOPE_TAG, page, message: junkValue(random) };
    case 3:
      return { tag: PAGE_ENVELOPE_TAG, page, message: { kind: 'request', id: junkValue(random), method, params: {} } };
    case 4:
      // Well-formed requests whose params are always wrong: an unknown field is never allowed.
      return { tag: PAGE_ENVELOPE_TAG, page, message: { kind: 'request', id, method, params: { ...(junkValue(random) as object), unknownField: junkValue(random) } } };
    default:
      return { tag: PAGE_ENVELOPE_TAG, page: junkValue(random), message: { kind: 'cancel', id: junkValue(random) } };
  }
}

test('1,000 malformed webview messages get error replies or are ignored, reach no engine job and leave the panel working', async () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    const h = harness();
    await h.page.call(PanelReadyRequest, {});
    const engineCallsBefore = h.engine.calls.length;
    const random = mulberry32(2026);
    // The harness's first page: 600 messages land on the live page and are answered there.
    const livePage = 'page-1';
    for (let n = 0; n < 600; n++) assert.doesNotThrow(() => h.sendRaw(malformed(random, livePage, n, false)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Then 400 from unknown or forged pages, which retire the live page as a reload would.
    for (let n = 600; n < 1000; n++) assert.doesNotThrow(() => h.sendRaw(malformed(random, `other-${n}`, n, true)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(rejections, [], 'no unhandled rejections');
    const jobs = h.engine.calls.slice(engineCallsBefore).filter((c) => !c.method.startsWith('run/open') && !c.method.startsWith('run/examples'));
    assert.deepEqual(jobs.map((c) => c.method), [], 'no malformed message started an engine job');
    assert.deepEqual(h.ui.errors, [], 'no error notifications for junk');
    const errorReplies = h.posted.filter((p) => (p as { message?: { kind?: string } }).message?.kind === 'error');
    assert.ok(errorReplies.length >= 120, `well-formed requests with bad params got error replies (${errorReplies.length})`);
    // The panel still answers a good request afterwards (on a fresh page: the junk retired the live one).
    const page = h.newPage();
    await page.call(PanelReadyRequest, {});
    const result = await page.call(PanelExampleImportanceRequest, { testIndex: 1, settings: defaultExampleSettings() });
    assert.equal(result.testIndex, 1);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});
