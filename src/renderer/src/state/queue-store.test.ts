import { describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/ipc/job-view';
import { emptyOverall } from '../model/queue-state';
import { createQueueStore } from './queue-store';

const job = (id: string, acknowledged = 0): JobView => ({
  id,
  name: `${id}.bin`,
  folder: '',
  size: 100,
  status: 'running',
  phase: 'uploading',
  acknowledged,
  sent: acknowledged,
  bytesPerSecond: 0,
  etaSeconds: null,
  attempts: 0,
  endpoint: 'http://127.0.0.1:1/files/',
  addedAt: 0,
  receiverUploadId: `rx-${id}`,
});

function setup() {
  const ticks: Array<() => void> = [];
  const store = createQueueStore({ schedule: (callback) => void ticks.push(callback) });
  let heard = 0;
  store.subscribe(() => (heard += 1));
  const flush = () => ticks.splice(0).forEach((tick) => tick());
  return { store, flush, heard: () => heard, ticks };
}

describe('queue store', () => {
  it('batches notifications: many updates, one tick', () => {
    const { store, flush, heard, ticks } = setup();
    store.load({ jobs: [job('a')], overall: emptyOverall });
    for (let index = 1; index <= 50; index += 1)
      store.applyChange({ jobs: [job('a', index)], removed: [], overall: emptyOverall });
    expect(ticks).toHaveLength(1);
    flush();
    expect(heard()).toBe(1);
    expect(store.getView().rows[0]?.stored).toBe(50);
  });

  it('a patched job shows its new fields in the next rows, the others keep theirs', () => {
    const { store } = setup();
    store.load({ jobs: [job('a'), job('b')], overall: emptyOverall });
    const before = store.getView().rows;
    store.applyChange({
      jobs: [],
      patches: [{ id: 'b', acknowledged: 70, sent: 80, status: 'paused', cleared: ['phase'] }],
      removed: [],
      overall: emptyOverall,
    });
    const rows = store.getView().rows;
    expect(rows[0]).toBe(before[0]);
    expect(rows[1]).toMatchObject({ id: 'b', stored: 70, state: 'paused' });
  });

  it('returns the same view until something changes', () => {
    const { store } = setup();
    store.load({ jobs: [job('a')], overall: emptyOverall });
    expect(store.getView()).toBe(store.getView());
  });

  it('drops pushes that arrive before the first list', () => {
    const { store } = setup();
    store.applyChange({ jobs: [job('early')], removed: [], overall: emptyOverall });
    expect(store.getView().rows).toHaveLength(0);
    store.load({ jobs: [job('a')], overall: emptyOverall });
    expect(store.getView().rows.map((row) => row.id)).toEqual(['a']);
  });

  it('hands out receiver events as a copy, made when read after a change', () => {
    const { store } = setup();
    store.load({ jobs: [job('a', 10)], overall: emptyOverall });
    const event = {
      type: 'progress' as const,
      uploadId: 'rx-a',
      seq: 1,
      status: 'running' as const,
      offset: 60,
      length: 100,
      progress: 0.6,
      bytesPerSecond: 0,
      etaSeconds: null,
      timestamp: new Date(0).toISOString(),
      context: { filename: 'a.bin', source: 'tus' as const },
    };
    store.applyMessage(event);
    const first = store.getView().events;
    expect(first.get('rx-a')?.offset).toBe(60);
    expect(store.getView().events).toBe(first);
    store.applyMessage({ ...event, seq: 2, offset: 80 });
    const second = store.getView().events;
    expect(second).not.toBe(first);
    expect(first.get('rx-a')?.offset).toBe(60);
    expect(second.get('rx-a')?.offset).toBe(80);
    expect(store.getView().rows[0]?.stored).toBe(80);
  });

  it('merges receiver events into rows and reports completions', () => {
    const { store } = setup();
    store.load({ jobs: [job('a', 10)], overall: emptyOverall });
    const event = {
      type: 'progress' as const,
      uploadId: 'rx-a',
      seq: 1,
      status: 'running' as const,
      offset: 60,
      length: 100,
      progress: 0.6,
      bytesPerSecond: 0,
      etaSeconds: null,
      timestamp: new Date(0).toISOString(),
      context: { filename: 'a.bin', source: 'tus' as const },
    };
    expect(store.applyMessage(event)).toBe(false);
    expect(store.getView().rows[0]?.stored).toBe(60);
    expect(store.applyMessage({ ...event, seq: 2, status: 'completed', offset: 100 })).toBe(true);
    expect(store.getView().ownUploadIds.has('rx-a')).toBe(true);
  });
});
