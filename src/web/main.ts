// Ferry's phone page: join the share (PIN first when asked), wait for approval when asked, then send
// files with tus, showing what the receiver has stored, live over /ws.
import './styles.css';
import type { ProgressEvent } from '../shared/progress-event';
import type { PickedFile } from './dropped-entries';
import { createFormat, pickMessages } from './i18n';
import { connectLive } from './live';
import { createEtaSmoother, createRateMeter, type RateMeter } from './rate';
import { applyEvent, fileKey, rowFromEvent, summarize, type Row } from './model';
import { ask, getInfo, join, loadGuest, saveGuest, type ShareInfo } from './share-api';
import { createUploader } from './uploads';
import { createView, type MainView, type Notice } from './view';

const params = new URLSearchParams(location.search);
const t = pickMessages(params.get('lang') ? [params.get('lang')!] : (navigator.languages ?? [navigator.language]));
const format = createFormat(t);
document.documentElement.lang = t.lang;
const view = createView(document.getElementById('app')!, t, format);
const linkToken = params.get('t');
// Smaller chunks mean more requests but finer resume points; `?chunk=` tunes it (tests use tiny ones).
/** Picking a file again while it is on its way (or done) changes nothing. */
const busy: ReadonlySet<Row['state']> = new Set(['done', 'uploading', 'queued', 'checking', 'retrying', 'waiting']);
const chunkSize = Math.min(256 * 2 ** 20, Math.max(16 * 1024, Number(params.get('chunk')) || 8 * 2 ** 20));

async function joinShare(link: string): Promise<{ token: string; info: ShareInfo } | undefined> {
  const saved = loadGuest(link);
  if (saved) {
    const info = await getInfo(saved);
    if (info.kind === 'ok') return { token: saved, info };
    if (info.kind === 'unreachable') return void view.message(t.unreachable);
    saveGuest(link, undefined);
  }
  const info = await getInfo(link);
  if (info.kind !== 'ok') return void view.message(info.kind === 'ended' ? t.ended : t.unreachable);
  let error: string | undefined;
  for (;;) {
    const pin = info.pinRequired
      ? await new Promise<string>((resolve) => view.pin(info.device, error, resolve))
      : undefined;
    const joined = await join(link, pin);
    if (joined.kind === 'joined') {
      saveGuest(link, joined.token);
      return { token: joined.token, info: joined };
    }
    if (joined.kind === 'pin-wrong') error = t.pinWrong(joined.attemptsLeft);
    else if (joined.kind === 'pin-locked') error = t.pinLocked(joined.seconds);
    else if (joined.kind !== 'pin-required') {
      const text = { ended: t.ended, unreachable: t.unreachable, disconnected: t.disconnected }[joined.kind];
      return void view.message(text, info.device);
    }
  }
}

function run(link: string, token: string, info: ShareInfo): void {
  const rows = new Map<string, Row>();
  const byUpload = new Map<string, string>();
  const latest = new Map<string, ProgressEvent>();
  const dirty = new Set<string>();
  const meters = new Map<string, RateMeter>();
  const overallMeter = createRateMeter();
  const smoothEta = createEtaSmoother();
  let sizeSeen = 0;
  let approved = !info.acceptRequired || info.guest?.approved === true;
  let asking = false;
  let declined = false;
  let ended = false;
  let unreachable = false;
  let frame = 0;

  function notice(summary: ReturnType<typeof summarize>): Notice | undefined {
    if (ended) return { kind: 'error', text: t.ended };
    if (asking) return { kind: 'wait', text: t.waitingApproval(info.device), hint: t.waitingHint };
    if (declined) return { kind: 'error', text: t.declined(info.device) };
    if (!navigator.onLine) return { kind: 'warn', text: t.offline };
    if (unreachable) return { kind: 'warn', text: t.unreachable };
    if (summary.orphans > 0) return { kind: 'info', text: t.chooseAgain, hint: t.chooseAgainHint };
    if (summary.total > 0 && summary.done === summary.total) return { kind: 'done', text: t.allDone(summary.total) };
    return undefined;
  }

  // At most one redraw per frame, touching only the rows that changed.
  function touch(key?: string): void {
    if (key) dirty.add(key);
    if (frame) return;
    const draw = () => {
      frame = 0;
      const now = performance.now();
      for (const row of rows.values()) {
        if (row.state !== 'uploading') continue;
        row.bytesPerSecond = meters.get(row.key)?.rate(now) ?? 0;
        row.etaSeconds = row.bytesPerSecond > 0 ? (row.size - row.sent) / row.bytesPerSecond : null;
        dirty.add(row.key);
      }
      const summary = summarize(rows.values());
      overallMeter.sample(summary.sent, now);
      summary.bytesPerSecond = summary.active ? overallMeter.rate(now) : 0;
      const remaining = summary.size - summary.sent;
      // No ETA from the first second or so of a transfer: too little to go on, and it would be eased from there.
      const measured = overallMeter.span(now) >= 1500 && summary.bytesPerSecond > 0 && remaining > 0;
      summary.etaSeconds = smoothEta(
        measured ? remaining / summary.bytesPerSecond : null,
        now,
        summary.size !== sizeSeen,
      );
      sizeSeen = summary.size;
      main.update(rows, summary, notice(summary), [...dirty]);
      dirty.clear();
    };
    frame = document.hidden ? window.setTimeout(draw, 250) : requestAnimationFrame(draw);
  }

  /** A /ws event for a row: its numbers, and a sample for its speed. */
  function absorb(row: Row, event: ProgressEvent): void {
    applyEvent(row, event);
    let meter = meters.get(row.key);
    if (!meter) meters.set(row.key, (meter = createRateMeter()));
    meter.sample(row.sent, performance.now());
    touch(row.key);
  }

  // Speeds fall off with no new bytes; redraw now and then while anything is on its way.
  window.setInterval(() => {
    if ([...rows.values()].some((row) => row.state === 'uploading')) touch();
  }, 1000);

  function end(): void {
    if (ended) return;
    ended = true;
    saveGuest(link, undefined);
    live.stop();
    main.disable();
    touch();
  }

  const uploader = createUploader({
    token,
    t,
    chunkSize,
    concurrency: 3,
    changed: (row) => touch(row.key),
    identified(row, uploadId) {
      const previous = byUpload.get(uploadId);
      // A file chosen again after a reload continues an upload the page showed from the receiver's list.
      if (previous && previous !== row.key) {
        row.sent = Math.max(row.sent, rows.get(previous)?.sent ?? 0);
        rows.delete(previous);
        main.remove(previous);
      }
      row.uploadId = uploadId;
      byUpload.set(uploadId, row.key);
      const event = latest.get(uploadId);
      if (event) absorb(row, event);
      touch(row.key);
    },
    accessEnded: end,
  });

  const live = connectLive(token, {
    snapshot(uploads) {
      unreachable = false;
      touch();
      for (const event of uploads) {
        latest.set(event.uploadId, event);
        const key = byUpload.get(event.uploadId);
        const row = key ? rows.get(key) : undefined;
        if (row) absorb(row, event);
        else {
          const fresh = rowFromEvent(event);
          rows.set(fresh.key, fresh);
          byUpload.set(event.uploadId, fresh.key);
        }
        touch(byUpload.get(event.uploadId));
      }
    },
    progress(event) {
      latest.set(event.uploadId, event);
      const key = byUpload.get(event.uploadId);
      const row = key ? rows.get(key) : undefined;
      if (!row) return;
      absorb(row, event);
    },
    ended: end,
    lost() {
      void getInfo(token).then((result) => {
        if (result.kind === 'ended') return end();
        unreachable = result.kind === 'unreachable';
        touch();
      });
    },
  });

  async function requestApproval(): Promise<void> {
    if (asking) return;
    asking = true;
    declined = false;
    touch();
    for (;;) {
      const waiting = [...rows.values()].filter((row) => row.state === 'waiting');
      const result = await ask(token, {
        count: waiting.length,
        totalBytes: waiting.reduce((sum, row) => sum + row.size, 0),
        names: waiting.slice(0, 20).map((row) => row.name),
      });
      if (result.kind === 'waiting') continue;
      if (result.kind === 'unreachable') {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        continue;
      }
      asking = false;
      if (result.kind === 'ended') return end();
      approved = result.kind === 'accepted';
      declined = !approved;
      indexOrphans();
      for (const row of rows.values()) {
        if (row.state !== 'waiting') continue;
        if (approved) startRow(row);
        else row.state = 'declined';
        touch(row.key);
      }
      touch();
      return;
    }
  }

  const files = new Map<string, PickedFile>();
  /** Uploads known only from the receiver, by path (or bare name) and size; rebuilt per pick. */
  let orphans = new Map<string, Row>();
  const orphanKey = (name: string, size: number) => `${size}|${name}`;
  function indexOrphans(): void {
    orphans = new Map();
    for (const row of rows.values())
      if (!row.local && row.state === 'paused') orphans.set(orphanKey(row.name, row.size), row);
  }
  function startRow(row: Row): void {
    const picked = files.get(row.key);
    if (!picked) return;
    // Even when this browser forgot the upload's URL (a reload mid-request, cleared storage), the
    // receiver's list of this device's uploads names one with the same path and size: continue it.
    const orphan = orphans.get(orphanKey(row.name, row.size)) ?? orphans.get(orphanKey(picked.file.name, row.size));
    if (orphan) orphans.delete(orphanKey(orphan.name, orphan.size));
    uploader.add(picked, row, orphan?.uploadId);
  }

  const main: MainView = view.main(info.device, {
    picked(picked) {
      indexOrphans();
      for (const one of picked) {
        const key = fileKey(one);
        files.set(key, one);
        const existing = rows.get(key);
        if (existing && busy.has(existing.state)) continue;
        const row: Row = existing ?? {
          key,
          name: one.path,
          size: one.file.size,
          sent: 0,
          bytesPerSecond: 0,
          etaSeconds: null,
          state: 'queued',
          local: true,
        };
        row.state = approved ? 'queued' : 'waiting';
        rows.set(key, row);
        if (approved) startRow(row);
        touch(key);
      }
      if (!approved) void requestApproval();
    },
    retry: (key) => uploader.retry(key),
  });

  window.addEventListener('offline', () => {
    uploader.markOffline();
    touch();
  });
  window.addEventListener('online', () => {
    uploader.resumeOffline();
    live.reconnectNow();
    touch();
  });
  touch();
}

async function boot(): Promise<void> {
  if (!linkToken) return view.message(t.noLink);
  view.message(t.connecting);
  const joined = await joinShare(linkToken);
  if (joined) run(linkToken, joined.token, joined.info);
}

void boot();
