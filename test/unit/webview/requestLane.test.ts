import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestLane } from '../../../webview/requestLane';

function abortable(signal: AbortSignal, value: number, ms = 5): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });
}

test('a new request cancels the one before, and only the latest outcome is delivered', async () => {
  const lane = new RequestLane();
  const done: number[] = [];
  const failed: unknown[] = [];
  const signals: AbortSignal[] = [];
  const run = (value: number): Promise<void> =>
    lane.run(
      (signal) => {
        signals.push(signal);
        return abortable(signal, value);
      },
      { done: (v) => done.push(v), failed: (e) => failed.push(e) },
    );
  const first = run(1);
  const second = run(2);
  await Promise.all([first, second]);
  assert.deepEqual(done, [2]);
  assert.deepEqual(failed, [], 'the superseded request is not reported as a failure');
  assert.equal(signals[0]!.aborted, true);
  assert.equal(signals[1]!.aborted, false);
  assert.equal(lane.busy, false);
});

test('cancel tells the cancelled handler, not the failed one', async () => {
  const lane = new RequestLane();
  const events: string[] = [];
  const pending = lane.run((signal) => abortable(signal, 1, 1000), { done: () => events.push('done'), failed: () => events.push('failed'), cancelled: () => events.push('cancelled') });
  assert.equal(lane.busy, true);
  lane.cancel();
  await pending;
  assert.deepEqual(events, ['cancelled']);
});

test('failures of the latest request are delivered', async () => {
  const lane = new RequestLane();
  const failed: unknown[] = [];
  await lane.run(() => Promise.reject(new Error('boom')), { done: () => assert.fail('not done'), failed: (e) => failed.push(e) });
  assert.equal((failed[0] as Error).message, 'boom');
});

test('drop forgets the request in flight without delivering anything', async () => {
  const lane = new RequestLane();
  const events: string[] = [];
  const pending = lane.run((signal) => abortable(signal, 1), { done: () => events.push('done'), failed: () => events.push('failed'), cancelled: () => events.push('cancelled') });
  lane.drop();
  await pending;
  assert.deepEqual(events, []);
});
