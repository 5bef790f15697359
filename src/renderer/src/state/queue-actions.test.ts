import { describe, expect, it } from 'vitest';
import type { FerryApi } from '../../../shared/ipc/api';
import type { JobView } from '../../../shared/ipc/job-view';
import { mergeJobWithReceiver } from '../model/merge-job';
import { cancelUndoMs, createQueueActions } from './queue-actions';
import { createQueueStore } from './queue-store';
import type { NoticeInput } from './notice';

const row = (id: string, status: JobView['status']) =>
  mergeJobWithReceiver(
    {
      id,
      name: `${id}.bin`,
      folder: '',
      size: 10,
      status,
      acknowledged: 0,
      sent: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      attempts: 0,
      endpoint: 'x',
      addedAt: 0,
    },
    undefined,
  );

function setup(answer: (method: string) => unknown = () => ({ ok: true, value: null })) {
  const calls: Array<[string, unknown]> = [];
  const ferry = new Proxy(
    {},
    {
      get: (_target, method: string) => (payload: unknown) => {
        calls.push([method, payload]);
        return Promise.resolve(answer(method));
      },
    },
  ) as FerryApi;
  const timers: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  const notices: NoticeInput[] = [];
  const errors: unknown[] = [];
  const actions = createQueueActions({
    ferry,
    queue: createQueueStore({ schedule: (callback) => callback() }),
    notify: (notice) => notices.push(notice),
    fail: (error) => errors.push(error),
    setTimer: (callback, ms) => {
      const timer = { callback, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => void ((handle as { cleared: boolean }).cleared = true),
  });
  return { actions, calls, timers, notices, errors };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('cancel with undo', () => {
  it('pauses what is moving at once and cancels after the delay', async () => {
    const { actions, calls, timers } = setup();
    actions.cancelWithUndo([row('a', 'running'), row('b', 'failed'), row('c', 'completed')]);
    expect(actions.pendingCancel.get()).toEqual({ ids: ['a', 'b'], name: undefined });
    expect(calls).toEqual([['uploadsPause', { ids: ['a'] }]]);
    expect(timers[0]!.ms).toBe(cancelUndoMs);
    timers[0]!.callback();
    expect(calls.at(-1)).toEqual(['uploadsCancel', { ids: ['a', 'b'] }]);
    expect(actions.pendingCancel.get()).toBeNull();
  });

  it('undo resumes what it paused and cancels nothing', () => {
    const { actions, calls, timers } = setup();
    actions.cancelWithUndo([row('a', 'queued')]);
    expect(actions.pendingCancel.get()?.name).toBe('a.bin');
    expect(actions.undoCancel()).toBe(true);
    expect(timers[0]!.cleared).toBe(true);
    expect(calls).toEqual([
      ['uploadsPause', { ids: ['a'] }],
      ['uploadsResume', { ids: ['a'] }],
    ]);
    expect(actions.undoCancel()).toBe(false);
  });

  it('a second cancel carries out the first one before waiting again', () => {
    const { actions, calls } = setup();
    actions.cancelWithUndo([row('a', 'paused')]);
    actions.cancelWithUndo([row('b', 'paused')]);
    expect(calls).toEqual([['uploadsCancel', { ids: ['a'] }]]);
    actions.flush();
    expect(calls.at(-1)).toEqual(['uploadsCancel', { ids: ['b'] }]);
  });

  it('ignores rows that cannot be canceled', () => {
    const { actions, calls } = setup();
    actions.cancelWithUndo([row('done', 'completed'), row('gone', 'canceled')]);
    expect(actions.pendingCancel.get()).toBeNull();
    expect(calls).toEqual([]);
  });
});

describe('adding files', () => {
  it('reports what an add did, and says nothing when a dialog was closed', async () => {
    const summary = { added: 2, duplicates: ['a.jpg'], skipped: [] };
    const { actions, notices } = setup((method) => ({
      ok: true,
      value: method === 'uploadsPickFiles' ? summary : { added: 0, duplicates: [], skipped: [] },
    }));
    await actions.add('files');
    await actions.add('folder');
    expect(notices).toEqual([{ kind: 'added', summary }]);
  });

  it('turns an IPC error into a notice', async () => {
    const { actions, errors } = setup(() => ({ ok: false, error: { code: 'IPC_FAILED', message: 'disk on fire' } }));
    await actions.pause(['a']);
    await settle();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('disk on fire');
  });
});
