// Deterministic queue and receiver content for previews: every row state, long and CJK names, 10,000 rows.
import type { JobView, OverallView, ReceivedFile } from '../../../src/shared/ipc/job-view';
import type { ProgressEvent } from '../../../src/shared/progress-event';

const MB = 1_000_000;

type Seed = Partial<JobView> & Pick<JobView, 'name' | 'folder' | 'size' | 'status'>;

const showcase: Seed[] = [
  { name: 'IMG_0412.HEIC', folder: 'trip/2026', size: 3.1 * MB, status: 'completed', finishedAt: 0 },
  {
    name: 'clip-01.mov',
    folder: 'trip/2026',
    size: 1200 * MB,
    status: 'running',
    phase: 'uploading',
    acknowledged: 564 * MB,
    bytesPerSecond: 31 * MB,
    etaSeconds: 20,
  },
  {
    name: 'clip-02.mov',
    folder: 'trip/2026',
    size: 1400 * MB,
    status: 'running',
    phase: 'stalled',
    acknowledged: 290 * MB,
  },
  {
    name: 'clip-03.mov',
    folder: 'trip/2026',
    size: 900 * MB,
    status: 'running',
    phase: 'retrying',
    acknowledged: 120 * MB,
    retryAt: 4_000,
  },
  {
    name: 'notes.pdf',
    folder: 'Documents',
    size: 0.22 * MB,
    status: 'failed',
    acknowledged: 0.06 * MB,
    error: { code: 'SOURCE_CHANGED', message: '/home/ana/Documents/notes.pdf changed while it was being sent' },
  },
  {
    name: 'Family reunion at the lake house, drone footage, full resolution, unedited.mp4',
    folder: 'Videos/2025/Summer holidays/Lake house/Drone',
    size: 7400 * MB,
    status: 'running',
    phase: 'uploading',
    acknowledged: 2100 * MB,
    bytesPerSecond: 24.6 * MB,
    etaSeconds: 215,
  },
  {
    name: 'DSC_1044.ARW',
    folder: 'trip/2026/raw',
    size: 48 * MB,
    status: 'queued',
    phase: 'offline',
    acknowledged: 12 * MB,
    error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
  },
  { name: 'interview-raw.wav', folder: 'Podcast/episode-12', size: 612 * MB, status: 'paused', acknowledged: 301 * MB },
  {
    name: 'backup-2026-01.tar.gz',
    folder: 'Backups',
    size: 2300 * MB,
    status: 'running',
    phase: 'finalizing',
    acknowledged: 2300 * MB,
  },
  {
    name: '春节 家庭合影 2026.jpeg',
    folder: '照片/2026/春节',
    size: 5.6 * MB,
    status: 'running',
    phase: 'uploading',
    acknowledged: 2.1 * MB,
    bytesPerSecond: 8.4 * MB,
    etaSeconds: 1,
  },
  {
    name: 'render-final-v3.prores.mov',
    folder: 'Projects/Ferry/launch',
    size: 18_400 * MB,
    status: 'failed',
    acknowledged: 9_100 * MB,
    error: { code: 'INSUFFICIENT_STORAGE', message: 'Not enough free space' },
  },
  { name: 'old-draft.key', folder: 'Projects/Ferry', size: 84 * MB, status: 'canceled', acknowledged: 10 * MB },
  { name: 'IMG_0413.HEIC', folder: 'trip/2026', size: 2.9 * MB, status: 'completed', finishedAt: 0 },
];

const stems = ['IMG_', 'DSC_', 'clip-', 'scan-', 'track-', 'frame-'];
const extensions = ['.HEIC', '.jpg', '.mov', '.pdf', '.wav', '.ARW', '.png', '.mp4'];
const folders = [
  'trip/2026',
  'trip/2026/day-2',
  'trip/2026/day-3',
  'Projects/Ferry/assets',
  'Scans/2019',
  'Music/Live',
];

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export function makeJobs(count: number, endpoint: string, now: number): JobView[] {
  const next = random(42);
  const jobs: JobView[] = [];
  for (let index = 0; index < count; index += 1) {
    const seed: Seed = showcase[index] ?? {
      name: `${stems[index % stems.length]}${String(1000 + index).padStart(4, '0')}${extensions[index % extensions.length]}`,
      folder: folders[index % folders.length]!,
      size: Math.round((0.4 + next() * 80) * MB),
      status: index % 9 === 0 ? 'completed' : 'queued',
    };
    const size = Math.round(seed.size);
    jobs.push({
      id: `job-${index}`,
      relativePath: `${seed.folder}/${seed.name}`,
      sent: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      attempts: seed.status === 'failed' ? 3 : 0,
      endpoint,
      receiverUploadId: `rx-${index}`,
      addedAt: now - (count - index) * 1000,
      ...seed,
      size,
      acknowledged: seed.status === 'completed' ? size : Math.round(seed.acknowledged ?? 0),
      retryAt: seed.retryAt !== undefined ? now + seed.retryAt : undefined,
      finishedAt: seed.status === 'completed' ? now - (count - index) * 60_000 : undefined,
    });
  }
  return jobs;
}

export function overallOf(jobs: readonly JobView[]): OverallView {
  const counted = jobs.filter((job) => job.status !== 'canceled');
  const size = counted.reduce((sum, job) => sum + job.size, 0);
  const acknowledged = counted.reduce((sum, job) => sum + job.acknowledged, 0);
  const bytesPerSecond = counted.reduce((sum, job) => sum + (job.status === 'running' ? job.bytesPerSecond : 0), 0);
  return {
    files: counted.length,
    completed: counted.filter((job) => job.status === 'completed').length,
    failed: counted.filter((job) => job.status === 'failed').length,
    active: counted.filter((job) => job.status === 'running').length,
    size,
    acknowledged,
    bytesPerSecond,
    etaSeconds: bytesPerSecond > 0 ? (size - acknowledged) / bytesPerSecond : null,
  };
}

const android =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
const iphone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

export function makeReceived(count: number, now: number): ReceivedFile[] {
  const senders = ['This app', iphone, '192.168.1.23', android, 'tus-js-client'];
  return Array.from({ length: count }, (_, index) => {
    const name =
      index === 1
        ? '会议纪要 2026-03-02.docx'
        : `${stems[index % stems.length]}${2200 + index}${extensions[(index + 3) % extensions.length]}`;
    return {
      uploadId: `in-${index}`,
      name,
      relativePath: index % 3 === 0 ? `phone/${name}` : name,
      size: Math.round((0.2 + ((index * 7919) % 100) / 3) * MB),
      from: senders[index % senders.length]!,
      source: index % 2 === 0 ? 'tus' : 'multipart',
      finishedAt: now - index * 7 * 60_000,
    };
  });
}

/** What the receiver reports on /ws: uploads from phones arriving, and this app's own uploads a little ahead of the pool. */
export function makeReceiverEvents(jobs: readonly JobView[], now: number): ProgressEvent[] {
  const stamp = (offsetMs: number) => new Date(now - offsetMs).toISOString();
  const events: ProgressEvent[] = [
    {
      type: 'progress',
      uploadId: 'ph-1',
      seq: 40,
      status: 'running',
      offset: 31 * MB,
      length: 48 * MB,
      progress: 31 / 48,
      bytesPerSecond: 6.2 * MB,
      etaSeconds: 3,
      timestamp: stamp(2000),
      context: { filename: 'IMG_2201.MOV', source: 'tus', userAgent: android, remoteAddress: '192.168.1.31' },
    },
    {
      type: 'progress',
      uploadId: 'ph-2',
      seq: 12,
      status: 'running',
      offset: 3.4 * MB,
      length: null,
      progress: null,
      bytesPerSecond: 1.1 * MB,
      etaSeconds: null,
      timestamp: stamp(8000),
      context: { filename: 'scan-0007.pdf', source: 'multipart', userAgent: iphone, remoteAddress: '192.168.1.40' },
    },
    {
      type: 'progress',
      uploadId: 'cu-1',
      seq: 5,
      status: 'paused',
      offset: 120 * MB,
      length: 400 * MB,
      progress: 0.3,
      bytesPerSecond: 0,
      etaSeconds: null,
      timestamp: stamp(60_000),
      context: {
        filename: 'dataset-shard-07.parquet',
        source: 'tus',
        userAgent: 'curl/8.5.0',
        remoteAddress: '10.0.0.7',
      },
    },
  ];
  for (const job of jobs.slice(0, 20)) {
    if (job.status !== 'running' || !job.receiverUploadId) continue;
    const offset = Math.min(job.size, job.acknowledged + Math.round(job.bytesPerSecond * 0.08));
    events.push({
      type: 'progress',
      uploadId: job.receiverUploadId,
      seq: 3,
      status: 'running',
      offset,
      length: job.size,
      progress: job.size ? offset / job.size : null,
      bytesPerSecond: job.bytesPerSecond,
      etaSeconds: job.etaSeconds,
      timestamp: stamp(1000),
      context: { filename: job.name, source: 'tus', userAgent: 'Ferry/0.1', remoteAddress: '127.0.0.1' },
    });
  }
  return events;
}
