// Runs in the preview page before the window's code: a `window.ferry` built with the real
// `buildFerryApi` over an in-page fake of main, driven by `__ferryPreview`.
import { buildFerryApi, type IpcTransport } from '../../../src/shared/ipc/api';
import type { InvokeChannel, IpcResult, PushChannel } from '../../../src/shared/ipc/contract';
import type { AddSummary, JobView } from '../../../src/shared/ipc/job-view';
import { sharingOff } from '../../../src/shared/ipc/sharing-view';
import { defaultSettings, type Settings } from '../../../src/shared/settings';
import { makeJobs, makeReceived, overallOf } from './fake-jobs';

export interface PreviewConfig {
  jobs: number;
  received: number;
  language: Settings['language'];
  theme: Settings['theme'];
  locale: string;
  receiverOrigin: string;
  live: boolean;
}

type Scope = {
  __ferryPreview: PreviewConfig;
  ferry: unknown;
  __ferryPreviewControl: unknown;
  setInterval(callback: () => void, ms: number): unknown;
};
const scope = globalThis as unknown as Scope;
const config = scope.__ferryPreview;
const now = Date.now();
const port = Number(new URL(config.receiverOrigin).port);
const endpoint = `${config.receiverOrigin}/files/`;

let jobs: JobView[] = makeJobs(config.jobs, endpoint, now);
let settings: Settings = { ...defaultSettings(), language: config.language, theme: config.theme, receiverPort: port };
const received = makeReceived(config.received, now);
const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>();
const push = (channel: PushChannel, payload: unknown) =>
  listeners.get(channel)?.forEach((listener) => listener(payload));

class FakeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const byIds = (payload: unknown) => {
  const ids = (payload as { ids?: string[] }).ids;
  return (job: JobView) => ids === undefined || ids.includes(job.id);
};

function update(pick: (job: JobView) => boolean, change: (job: JobView) => Partial<JobView> | undefined): void {
  const changed: JobView[] = [];
  jobs = jobs.map((job) => {
    const patch = pick(job) ? change(job) : undefined;
    if (!patch) return job;
    const next = { ...job, ...patch };
    changed.push(next);
    return next;
  });
  if (changed.length > 0) push('uploads:changed', { jobs: changed, removed: [], overall: overallOf(jobs) });
}

function addJobs(names: string[]): AddSummary {
  const queued = new Set(jobs.map((job) => job.name));
  const duplicates = names.filter((name) => queued.has(name));
  const fresh = makeJobs(names.length, endpoint, Date.now()).map((job, index) => ({
    ...job,
    id: `added-${Date.now()}-${index}`,
    name: names[index]!,
    status: 'queued' as const,
    phase: undefined,
    acknowledged: 0,
    folder: 'Desktop',
  }));
  const added = fresh.filter((job) => !duplicates.includes(job.name) && !job.name.startsWith('~'));
  jobs = [...jobs, ...added];
  push('uploads:changed', { jobs: added, removed: [], overall: overallOf(jobs) });
  return {
    added: added.length,
    duplicates,
    skipped: names.filter((name) => name.startsWith('~')).map((name) => ({ name, reason: 'a temporary file' })),
  };
}

const handlers: Record<InvokeChannel, (payload: unknown) => unknown> = {
  'app:info': () => ({
    version: '0.1.0',
    platform: 'linux',
    locale: config.locale,
    receiver: {
      origin: config.receiverOrigin,
      token: 'preview-token',
      receiveFolder: '/home/ana/Downloads/Ferry',
      port,
    },
    settings,
  }),
  'uploads:list': () => ({ jobs, overall: overallOf(jobs) }),
  'uploads:add-dropped': (payload) =>
    addJobs((payload as { paths: string[] }).paths.map((path) => path.split('/').pop()!)),
  'uploads:pick-files': () => addJobs(['IMG_0412.HEIC', 'IMG_0413.HEIC', 'holiday-card.png', '~lock.holiday-card.png']),
  'uploads:pick-folder': () => addJobs(['day-4/IMG_0501.HEIC', 'day-4/IMG_0502.HEIC']),
  'uploads:pause': (payload) =>
    update(byIds(payload), (job) =>
      job.status === 'queued' || job.status === 'running'
        ? { status: 'paused', phase: undefined, bytesPerSecond: 0 }
        : undefined,
    ),
  'uploads:resume': (payload) =>
    update(byIds(payload), (job) => (job.status === 'paused' ? { status: 'queued', phase: undefined } : undefined)),
  'uploads:cancel': (payload) =>
    update(byIds(payload), (job) =>
      job.status === 'completed' || job.status === 'canceled'
        ? undefined
        : { status: 'canceled', phase: undefined, bytesPerSecond: 0 },
    ),
  'uploads:retry': (payload) =>
    update(byIds(payload), (job) =>
      job.status === 'failed' || job.status === 'canceled'
        ? { status: 'queued', phase: undefined, error: undefined }
        : undefined,
    ),
  'uploads:clear-finished': () => {
    const removed = jobs.filter((job) => job.status === 'completed' || job.status === 'canceled').map((job) => job.id);
    jobs = jobs.filter((job) => !removed.includes(job.id));
    push('uploads:changed', { jobs: [], removed, overall: overallOf(jobs) });
    return { removed: removed.length };
  },
  'uploads:reveal': () => null,
  'received:list': () => received,
  'received:open': () => null,
  'received:reveal': () => null,
  'settings:get': () => settings,
  'settings:update': (patch) => {
    const sent = patch as Partial<Omit<Settings, 'sharing'>> & { sharing?: Partial<Settings['sharing']> };
    const next = { ...settings, ...sent, sharing: { ...settings.sharing, ...sent.sharing } };
    if (next.receiverPort > 0 && next.receiverPort < 1024)
      throw new FakeError('IPC_INVALID_PAYLOAD', 'Ports below 1024 need administrator rights: pick 1024 or higher.');
    settings = next;
    push('settings:changed', settings);
    return settings;
  },
  'settings:pick-receive-folder': () => ({ folder: '/home/ana/Received' }),
  'shell:open-external': () => null,
  // Receiving from other devices stays off in the preview.
  'sharing:status': () => sharingOff,
  'sharing:set': () => sharingOff,
  'sharing:revoke': () => sharingOff,
  'sharing:revoke-guest': () => sharingOff,
  'sharing:decide': () => sharingOff,
};

const transport: IpcTransport = {
  async invoke(channel, payload): Promise<IpcResult<unknown>> {
    try {
      return { ok: true, value: await handlers[channel](payload) };
    } catch (error) {
      return {
        ok: false,
        error: { code: (error as FakeError).code ?? 'IPC_FAILED', message: (error as Error).message },
      };
    }
  },
  on(channel, listener) {
    const set = listeners.get(channel) ?? new Set();
    set.add(listener);
    listeners.set(channel, set);
    return () => void set.delete(listener);
  },
};

scope.ferry = buildFerryApi(transport, (file) => `/home/ana/Desktop/${file.name}`);

/** Moves uploading jobs on, like the pool's ~100 ms batches. */
function tick(seconds: number): void {
  update(
    (job) => job.status === 'running' && job.phase === 'uploading',
    (job) => {
      const acknowledged = Math.min(job.size, Math.round(job.acknowledged + job.bytesPerSecond * seconds));
      return acknowledged >= job.size
        ? {
            acknowledged,
            status: 'completed',
            phase: undefined,
            bytesPerSecond: 0,
            etaSeconds: null,
            finishedAt: Date.now(),
          }
        : { acknowledged, etaSeconds: (job.size - acknowledged) / job.bytesPerSecond };
    },
  );
}

scope.__ferryPreviewControl = { push, tick, jobs: () => jobs };
if (config.live) scope.setInterval(() => tick(0.1), 100);
