import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy } from '../../../src/host/lifecycle/restartPolicy';

function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

test('delays double from 0.5 s and the fifth crash in the window stops restarts', () => {
  const clock = fakeClock();
  const policy = new RestartPolicy({ now: clock.now });
  const decisions = [];
  for (let i = 0; i < 5; i++) {
    decisions.push(policy.recordCrash());
    clock.advance(1_000);
  }
  assert.deepEqual(
    decisions.map((d) => (d.restart ? d.delayMs : 'stop')),
    [500, 1_000, 2_000, 4_000, 'stop'],
  );
  assert.equal(decisions[4]!.crashesInWindow, 5);
});

test('the window slides: crashes older than 3 minutes no longer count', () => {
  const clock = fakeClock();
  const policy = new RestartPolicy({ now: clock.now });
  for (let i = 0; i < 4; i++) policy.recordCrash();
  clock.advance(3 * 60_000);
  const decision = policy.recordCrash();
  assert.deepEqual(decision, { restart: true, delayMs: 500, crashesInWindow: 1 });
});

test('only the crashes inside the window count, one at a time as they age out', () => {
  const clock = fakeClock();
  const policy = new RestartPolicy({ now: clock.now });
  policy.recordCrash(); // t = 0
  clock.advance(100_000);
  policy.recordCrash(); // t = 100 s
  policy.recordCrash();
  policy.recordCrash();
  clock.advance(80_001); // the first crash is now 180.001 s old
  const decision = policy.recordCrash();
  assert.equal(decision.crashesInWindow, 4);
  assert.equal(decision.restart, true);
});

test('the delay is capped', () => {
  const policy = new RestartPolicy({ now: fakeClock().now, initialDelayMs: 1_000, maxDelayMs: 3_000, maxCrashes: 10 });
  const delays = Array.from({ length: 5 }, () => {
    const d = policy.recordCrash();
    return d.restart ? d.delayMs : -1;
  });
  assert.deepEqual(delays, [1_000, 2_000, 3_000, 3_000, 3_000]);
});

test('reset forgets earlier crashes', () => {
  const policy = new RestartPolicy({ now: fakeClock().now });
  for (let i = 0; i < 5; i++) policy.recordCrash();
  policy.reset();
  assert.deepEqual(policy.recordCrash(), { restart: true, delayMs: 500, crashesInWindow: 1 });
});

test('bad settings are refused', () => {
  assert.throws(() => new RestartPolicy({ initialDelayMs: 0 }), /initialDelayMs/);
  assert.throws(() => new RestartPolicy({ maxCrashes: 2.5 }), /maxCrashes/);
  assert.throws(() => new RestartPolicy({ windowMs: Number.NaN }), /windowMs/);
  assert.throws(() => new RestartPolicy({ initialDelayMs: 5_000, maxDelayMs: 1_000 }), /at least/);
});
