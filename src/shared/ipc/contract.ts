import * as z from 'zod';
import { Settings, SettingsPatch } from '../settings';
import { AddSummary, JobPatch, JobView, OverallView, ReceivedFile } from './job-view';
import { SharingView } from './sharing-view';

/**
 * The IPC contract, declared once. Main registers a handler for every invoke channel (a missing one
 * is a compile error, see `InvokeHandlers`), the preload exposes one function per channel, and the
 * renderer calls only those. Payloads are parsed with these schemas on the main side.
 */

const Ids = z.object({ ids: z.array(z.string().min(1).max(128)).max(100_000).optional() }).strict();
const OneId = z.object({ id: z.string().min(1).max(128) }).strict();
const Nothing = z.object({}).strict();

export const ReceiverInfo = z.object({
  /** `http://127.0.0.1:PORT`, the only origin the window's CSP lets it connect to. */
  origin: z.string(),
  /** The per-launch token for `/ws` and HTTP. */
  token: z.string(),
  receiveFolder: z.string(),
  port: z.number().int(),
});
export type ReceiverInfo = z.infer<typeof ReceiverInfo>;

export const AppInfo = z.object({
  version: z.string(),
  platform: z.string(),
  /** The OS locale, e.g. `zh-CN`; the window picks its language from it when set to `system`. */
  locale: z.string(),
  receiver: ReceiverInfo,
  settings: Settings,
});
export type AppInfo = z.infer<typeof AppInfo>;

export const QueueSnapshot = z.object({ jobs: z.array(JobView), overall: OverallView });
export type QueueSnapshot = z.infer<typeof QueueSnapshot>;

export const invokeContract = {
  'app:info': { request: Nothing, response: AppInfo },
  'uploads:list': { request: Nothing, response: QueueSnapshot },
  /** Paths the preload converted from a drop with `webUtils.getPathForFile`. */
  'uploads:add-dropped': {
    request: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000) }).strict(),
    response: AddSummary,
  },
  'uploads:pick-files': { request: Nothing, response: AddSummary },
  'uploads:pick-folder': { request: Nothing, response: AddSummary },
  'uploads:pause': { request: Ids, response: z.null() },
  'uploads:resume': { request: Ids, response: z.null() },
  'uploads:cancel': { request: Ids, response: z.null() },
  'uploads:retry': { request: Ids, response: z.null() },
  'uploads:clear-finished': { request: Nothing, response: z.object({ removed: z.number().int().nonnegative() }) },
  'uploads:reveal': { request: OneId, response: z.null() },
  'received:list': { request: Nothing, response: z.array(ReceivedFile) },
  'received:open': { request: z.object({ uploadId: z.string().min(1).max(128) }).strict(), response: z.null() },
  'received:reveal': { request: z.object({ uploadId: z.string().min(1).max(128) }).strict(), response: z.null() },
  'settings:get': { request: Nothing, response: Settings },
  'settings:update': { request: SettingsPatch, response: Settings },
  'settings:pick-receive-folder': { request: Nothing, response: z.object({ folder: z.string().nullable() }) },
  'shell:open-external': { request: z.object({ url: z.string().max(2048) }).strict(), response: z.null() },
  /** Receiving from other devices: the link, QR code, countdown, devices and waiting requests. */
  'sharing:status': { request: Nothing, response: SharingView },
  /** Turns it on or off (stored in settings, like the switch in Settings). */
  'sharing:set': { request: z.object({ enabled: z.boolean() }).strict(), response: SharingView },
  /** A new link: every device that joined is out. */
  'sharing:revoke': { request: Nothing, response: SharingView },
  'sharing:revoke-guest': { request: z.object({ guestId: z.string().min(1).max(64) }).strict(), response: SharingView },
  /** Answers an accept prompt. */
  'sharing:decide': {
    request: z.object({ requestId: z.string().min(1).max(64), accept: z.boolean() }).strict(),
    response: SharingView,
  },
} as const;

export const pushContract = {
  /**
   * Batched: every ~100 ms, the jobs that changed since the last (a large batch is split over a few
   * turns). `jobs`: whole views of jobs new to the window; `patches`: what changed of jobs it has.
   */
  'uploads:changed': z.object({
    jobs: z.array(JobView),
    patches: z.array(JobPatch).optional(),
    removed: z.array(z.string()),
    overall: OverallView,
  }),
  'settings:changed': Settings,
  /** Main asks the window to show a view (tray "Open Ferry", a second launch with files). */
  'app:navigate': z.object({ view: z.enum(['queue', 'received', 'settings']) }),
  /** On every sharing event (a device joined, a request waits, the link changed, it turned off) and when `offAt` moves. */
  'sharing:changed': SharingView,
} as const;

export type InvokeChannel = keyof typeof invokeContract;
export type PushChannel = keyof typeof pushContract;
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeContract)[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.infer<(typeof invokeContract)[C]['response']>;
export type PushPayload<C extends PushChannel> = z.infer<(typeof pushContract)[C]>;

export const invokeChannels = Object.keys(invokeContract) as InvokeChannel[];
export const pushChannels = Object.keys(pushContract) as PushChannel[];

/** Stable codes for errors that cross IPC. */
export const ipcErrorCodes = {
  forbiddenSender: 'IPC_FORBIDDEN_SENDER',
  invalidPayload: 'IPC_INVALID_PAYLOAD',
  notFound: 'IPC_NOT_FOUND',
  notAllowed: 'IPC_NOT_ALLOWED',
  failed: 'IPC_FAILED',
} as const;

export type IpcError = { code: string; message: string };
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };
