import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobView, OverallView } from '../../shared/ipc/job-view';
import { defaultSettings, type Settings } from '../../shared/settings';
import type { UploadJob } from '../../shared/upload-job';
import { createDesktopFeedback } from './desktop-feedback';
import type { TrayModel } from './tray-model';

const overall = (patch: Partial<OverallView> = {}): OverallView => ({
  files: 2,
  completed: 0,
  failed: 0,
  active: 1,
  size: 100,
  acknowledged: 25,
  bytesPerSecond: 5_000_000,
  etaSeconds: 15,
  ...patch,
});
const view = (id: string, status: JobView['status']): JobView => ({
  id,
  name: `${id}.bin`,
  folder: '',
  size: 50,
  status,
  acknowledged: 0,
  sent: 0,
  bytesPerSecond: 0,
  etaSeconds: null,
  attempts: 0,
  endpoint: '',
  addedAt: 1,
});

function setup(statuses: UploadJob['status'][] = ['running', 'queued'], settings: Partial<Settings> = {}) {
  const jobs = statuses.map((status, index) => ({ id: `j${index}`, status }) as UploadJob);
  const listeners: ((ids: string[] | 'all') => void)[] = [];
  const queue = {
    list: vi.fn(() => jobs),
    get: (id: string) => jobs.find((job) => job.id === id),
    onChange: (listener: (ids: string[] | 'all') => void) => {
      listeners.push(listener);
      return () => undefined;
    },
    /** Replaces a job and tells the listeners, the way the real queue does. */
    replace(id: string, status: UploadJob['status']) {
      const index = jobs.findIndex((job) => job.id === id);
      jobs[index] = { ...jobs[index]!, status };
      for (const listener of listeners) listener([id]);
    },
  };
  const trays: TrayModel[] = [];
  const ports = {
    notifications: { show: vi.fn() },
    taskbar: { setProgress: vi.fn() },
    power: { start: vi.fn(() => 7), stop: vi.fn() },
  };
  const feedback = createDesktopFeedback({
    queue,
    settings: { get: () => ({ ...defaultSettings(), ...settings }) },
    locale: 'en-US',
    ...ports,
    showTray: (model) => trays.push(model),
  });
  return { feedback, trays, ports, jobs, queue };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('desktop feedback', () => {
  it("follows the queue's changes without walking the queue on every push", () => {
    const { feedback, ports, queue } = setup(['running', 'queued']);
    const walks = queue.list.mock.calls.length;
    feedback.onChange({ jobs: [], removed: [], overall: overall({ active: 0, acknowledged: 10 }) });
    queue.replace('j0', 'paused');
    queue.replace('j1', 'paused');
    feedback.onChange({ jobs: [], removed: [], overall: overall({ active: 0, acknowledged: 10 }) });
    expect(ports.taskbar.setProgress).toHaveBeenLastCalledWith(0.1, 'paused');
    expect(queue.list.mock.calls.length).toBe(walks);
  });

  it('shows progress in the taskbar and tray, and keeps the machine awake while bytes move', () => {
    const { feedback, trays, ports } = setup();
    feedback.onChange({ jobs: [], removed: [], overall: overall({ acknowledged: 10 }) });
    feedback.onChange({ jobs: [], removed: [], overall: overall() });
    expect(ports.taskbar.setProgress).toHaveBeenLastCalledWith(0.25, 'normal');
    expect(trays.at(-1)!.tooltip).toBe('Ferry — 25% · 5 MB/s');
    expect(ports.power.start).toHaveBeenCalledOnce();
    feedback.onChange({ jobs: [], removed: [], overall: overall({ active: 0, acknowledged: 100, completed: 2 }) });
    expect(ports.power.stop).toHaveBeenCalledWith(7);
    expect(ports.taskbar.setProgress).toHaveBeenLastCalledWith(null, 'normal');
  });

  it('shows a paused bar while everything is paused with bytes left', () => {
    const { feedback, ports, trays } = setup(['paused']);
    feedback.onChange({ jobs: [], removed: [], overall: overall({ active: 0 }) });
    expect(ports.taskbar.setProgress).toHaveBeenLastCalledWith(0.25, 'paused');
    expect(trays.at(-1)!.items.find((item) => item.id === 'resume-all')!.enabled).toBe(true);
  });

  it('notifies when a batch finishes, unless notifications are off', () => {
    const on = setup();
    on.feedback.notificationPolicy.trackBatch(['a']);
    on.feedback.onChange({ jobs: [view('a', 'completed')], removed: [], overall: overall({ active: 0 }) });
    expect(on.ports.notifications.show).toHaveBeenCalledWith({ title: 'Uploads finished', body: 'a.bin was sent.' });
    const off = setup(['running'], { notifications: false });
    off.feedback.notificationPolicy.trackBatch(['a']);
    off.feedback.onChange({ jobs: [view('a', 'failed')], removed: [], overall: overall({ active: 0 }) });
    expect(off.ports.notifications.show).not.toHaveBeenCalled();
  });

  it('draws the tray in the chosen language', () => {
    const { feedback, trays } = setup(['queued'], { language: 'zh-CN' });
    feedback.refresh();
    expect(trays.at(-1)!.items.find((item) => item.id === 'pause-all')!.label).toBe('全部暂停');
  });

  it('dispose releases the keep-awake hold', () => {
    const { feedback, ports } = setup();
    feedback.onChange({ jobs: [], removed: [], overall: overall({ acknowledged: 1 }) });
    feedback.onChange({ jobs: [], removed: [], overall: overall({ acknowledged: 2 }) });
    feedback.dispose();
    expect(ports.power.stop).toHaveBeenCalledWith(7);
  });
});
