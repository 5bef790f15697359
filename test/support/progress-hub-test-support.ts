// Shared by the progress hub's test files: a fake clock, recorders and the stream invariants.
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { isTerminal, ProgressEvent, type UploadStatus } from '../../src/shared/progress-event';
import { FerryError } from '../../src/engine/errors';
import {
  createProgressHub,
  type ProgressHub,
  type ProgressHubOptions,
  type ProgressRegistration,
} from '../../src/engine/progress/progress-hub';

export const start = Date.parse('2025-01-01T00:00:00.000Z');
const streams: ProgressEvent[][] = [];
const hubs: ProgressHub[] = [];

/** Fake timers per test, and after each test every recorded stream must satisfy the hub's guarantees. */
export function useHubTestClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: start });
  });
  afterEach(() => {
    for (const events of streams.splice(0)) checkStream(events);
    for (const hub of hubs.splice(0)) hub.close();
    vi.useRealTimers();
  });
}

const validated = new WeakSet<ProgressEvent>();
export const attemptOf = (event: ProgressEvent): number =>
  typeof event.context.attempt === 'number' ? event.context.attempt : 1;

function checkStream(events: ProgressEvent[]): void {
  const previous = new Map<string, ProgressEvent>();
  const problems: string[] = [];
  for (const event of events) {
    if (!validated.has(event)) {
      const parsed = ProgressEvent.safeParse(event);
      if (parsed.success) validated.add(event);
      else problems.push(`invalid event: ${parsed.error.message}`);
    }
    const prev = previous.get(event.uploadId);
    previous.set(event.uploadId, event);
    if (!prev) continue;
    if (event.seq !== prev.seq + 1) problems.push(`${event.uploadId}: seq ${prev.seq} then ${event.seq}`);
    // A restart opens a new attempt with a created event: only there may the offset drop or a terminal event be followed.
    const attempt = attemptOf(event);
    if (attempt === attemptOf(prev) + 1 && event.status === 'created') continue;
    if (attempt !== attemptOf(prev))
      problems.push(`${event.uploadId}: attempt ${attemptOf(prev)} then ${attempt} (${event.status})`);
    if (isTerminal(prev.status)) problems.push(`${event.uploadId}: event after ${prev.status}`);
    if (event.offset < prev.offset) problems.push(`${event.uploadId}: offset ${prev.offset} then ${event.offset}`);
  }
  expect(problems).toEqual([]);
}

export function record(hub: ProgressHub): ProgressEvent[] {
  const events: ProgressEvent[] = [];
  streams.push(events);
  hub.subscribe((event) => events.push(event));
  return events;
}

export function setup(options: ProgressHubOptions = {}) {
  const transitions: Array<{ uploadId: string; status: UploadStatus; event: ProgressEvent }> = [];
  const errors: unknown[] = [];
  const hub = createProgressHub({
    now: () => Date.now(),
    onTransition: (uploadId, status, event) => transitions.push({ uploadId, status, event }),
    onListenerError: (error) => errors.push(error),
    ...options,
  });
  hubs.push(hub);
  return { hub, events: record(hub), transitions, errors };
}

export const upload = (over: Partial<ProgressRegistration> = {}): ProgressRegistration => ({
  uploadId: 'u1',
  source: 'tus',
  filename: 'a.bin',
  length: 1000,
  ...over,
});
export const at = (event: ProgressEvent | undefined) => Date.parse(event!.timestamp) - start;
export const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof FerryError ? error.code : 'not a FerryError';
  }
  return 'no error';
};
