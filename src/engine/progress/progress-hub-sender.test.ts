import { expect, it, vi } from 'vitest';
import { setup, upload, useHubTestClock } from '../../../test/support/progress-hub-test-support';

useHubTestClock();

it('resumeAt moves a running upload to the stored offset without counting those bytes as speed', () => {
  const { hub, events } = setup();
  hub.register(upload({ length: 10_000_000, status: 'running' }));
  vi.advanceTimersByTime(100);
  hub.resumeAt('u1', 8_000_000);
  vi.advanceTimersByTime(1000);
  hub.advance('u1', 8_001_000);
  vi.advanceTimersByTime(1000);
  const running = events.filter((event) => event.status === 'running');
  // (An idle refresh may repeat the last offset.)
  expect([...new Set(running.map((event) => event.offset))]).toEqual([0, 8_000_000, 8_001_000]);
  // 1000 bytes in the 1.1 s since the estimate began, not 8 MB in a tenth of a second.
  expect(Math.max(...running.map((event) => event.bytesPerSecond))).toBeLessThan(2000);
  expect(running.at(-1)!.bytesPerSecond).toBeGreaterThan(0);
});

it('resumeAt ignores offsets that do not grow and ids it does not know, and starts a paused upload like advance', () => {
  const { hub, events } = setup();
  hub.register(upload({ offset: 500, status: 'running' }));
  hub.resumeAt('u1', 400);
  hub.resumeAt('nope', 900);
  vi.advanceTimersByTime(5000);
  expect(events.map((event) => [event.status, event.offset])).toEqual([['running', 500]]);
  hub.transition('u1', 'paused');
  hub.resumeAt('u1', 700);
  expect(events.map((event) => [event.status, event.offset]).slice(1)).toEqual([
    ['paused', 500],
    ['running', 700],
  ]);
});

it('sent drives the speed between answers; the offset moves only with stored bytes, counted once', () => {
  const { hub, events } = setup();
  hub.register(upload({ length: 100_000, status: 'running' }));
  // 1000 bytes leave every 100 ms: 10,000 bytes/s, and nothing is stored yet.
  for (let step = 1; step <= 5; step++) {
    vi.advanceTimersByTime(100);
    hub.sent('u1', step * 1000);
  }
  vi.advanceTimersByTime(100);
  expect(events.at(-1)).toMatchObject({ status: 'running', offset: 0 });
  expect(events.at(-1)!.bytesPerSecond).toBeGreaterThan(5000);
  expect(events.at(-1)!.etaSeconds).not.toBeNull();
  // Then every half second the receiver answers for what left up to 4000 bytes before: bytes the
  // speed counted as they left must not count again as they are stored.
  for (let step = 6; step <= 60; step++) {
    vi.advanceTimersByTime(100);
    hub.sent('u1', step * 1000);
    if (step % 5 === 0) hub.advance('u1', step * 1000 - 4000);
  }
  vi.advanceTimersByTime(100);
  const last = events.at(-1)!;
  expect(last.offset).toBe(56_000);
  expect(last.bytesPerSecond).toBeGreaterThan(8000);
  expect(last.bytesPerSecond).toBeLessThan(12_000);
});

it('sent is ignored for an upload that is not running, a total that does not grow and an unknown id', () => {
  const { hub, events } = setup();
  hub.register(upload({ offset: 500 }));
  hub.sent('u1', 900);
  hub.sent('nope', 900);
  vi.advanceTimersByTime(5000);
  expect(events.map((event) => [event.status, event.offset, event.bytesPerSecond])).toEqual([['created', 500, 0]]);
  hub.transition('u1', 'running');
  hub.sent('u1', 400);
  vi.advanceTimersByTime(5000);
  expect(events.every((event) => event.offset === 500 && event.bytesPerSecond === 0)).toBe(true);
});

it('the speed clock starts with the first bytes that leave, not with the requests before them', () => {
  const { hub, events } = setup();
  hub.register(upload({ length: 1_000_000, status: 'running' }));
  // A second of requests that carry no bytes (the probe, the creation), then 10,000 bytes/s.
  vi.advanceTimersByTime(1000);
  for (let step = 1; step <= 4; step++) {
    hub.sent('u1', step * 1000);
    vi.advanceTimersByTime(100);
  }
  const last = events.at(-1)!;
  expect(last.offset).toBe(0);
  expect(last.bytesPerSecond).toBeGreaterThan(8000);
  expect(last.bytesPerSecond).toBeLessThan(12_000);
});

it("a sender's ETA counts the bytes still to leave, not those still to be acknowledged", () => {
  const { hub, events } = setup();
  hub.register(upload({ length: 100_000, status: 'running' }));
  // 10,000 bytes/s leave; the receiver acknowledges only at the end of each 50,000-byte request.
  for (let step = 1; step <= 8; step++) {
    hub.sent('u1', step * 10_000);
    vi.advanceTimersByTime(1000);
  }
  const last = events.at(-1)!;
  expect(last.offset).toBe(0);
  // 20,000 bytes and 2 s to go, not the 10 s that 100,000 unacknowledged bytes would take.
  expect(last.etaSeconds).toBeGreaterThan(1.5);
  expect(last.etaSeconds).toBeLessThan(3);
});
