import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { createProgressHub } from '../../engine/progress';
import type { Receiver } from '../../engine/receiver/server';
import type { QueuePersistence } from '../../engine/sender/queue-persistence';
import { createTusClient } from '../../engine/sender/tus-client';
import { createUploadPool, type PoolOptions, type UploadPool } from '../../engine/sender/upload-pool';
import { createUploadQueue, type UploadQueue } from '../../engine/sender/upload-queue';
import { ipcErrorCodes, type ReceiverInfo } from '../../shared/ipc/contract';
import type { Settings, SettingsPatch } from '../../shared/settings';
import type { UploadTarget } from '../../shared/upload-job';
import { IpcFailure } from './ipc-failure';
import type { KeyValueStore } from './key-value-store';
import { createManagedPool, type ManagedPool } from './managed-pool';
import { startEmbeddedReceiver, type ReceiverTuning } from './receiver-host';
import { retargetEmbeddedJobs } from './retarget';
import { createSettingsStore, type SettingsStore } from './settings-store';
import { createSharingControl, type SharingControl } from './sharing-control';
import { createCoreWindowJobs, type WindowJobs } from './window-jobs';

export interface FerryCoreDeps {
  /** Where settings live: electron-store in the app, an in-memory store in tests. */
  settings: KeyValueStore;
  queuePersistence: QueuePersistence;
  /** Used while the receive folder setting is empty: `<Downloads>/Ferry` in the app. */
  defaultReceiveFolder: string;
  /**
   * Origins of the app's own window (`app://ferry`, or the dev server's): the receiver lets them open
   * `/ws` and make CORS requests, since the window talks to it directly.
   */
  windowOrigins: readonly string[];
  logger?: Logger;
  now?: () => number;
  /** Receiver limits and timeouts (tests shorten them). */
  receiver?: ReceiverTuning;
  /** Retry and stall tuning for the pool (tests shorten them). */
  pool?: Pick<PoolOptions, 'retryDelays' | 'maxAttempts' | 'probeIntervalMs' | 'stallTimeoutMs' | 'checksum'>;
  /** Where other devices reach this computer; default: its non-loopback addresses (tests pass `['127.0.0.2']`). */
  lanAddresses?: () => string[];
}

export interface FerryCore {
  /** Restores the queue, starts the receiver and the pool. */
  start(): Promise<void>;
  /** The embedded receiver; a new object after a receive folder or port change. */
  readonly receiver: Receiver;
  readonly queue: UploadQueue;
  readonly pool: UploadPool;
  readonly settings: SettingsStore;
  /** Receiving from other devices: on and off with the settings, kept on across a receiver restart. */
  readonly sharing: SharingControl;
  /** What this core's window was told of the jobs: by the `uploads:list` reply, then by pushes. */
  readonly windowJobs: WindowJobs;
  receiverInfo(): ReceiverInfo;
  /** Where new jobs go: the embedded receiver, or the tus server from settings. */
  target(): UploadTarget;
  /** The embedded receiver's tus endpoint (`http://127.0.0.1:PORT/files/`). */
  embeddedEndpoint(): string;
  /** Brings the running core in line with these settings (what `settings:update` calls). */
  applySettings(settings: Settings): Promise<void>;
  /** Validates, stores and applies a patch from the window; rolls back when it cannot be applied. */
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  /** Called after the receiver was replaced (its hub is a new one too). */
  onReceiverChange(listener: (receiver: Receiver) => void): () => void;
  close(): Promise<void>;
}

const endpointOf = (port: number) => `http://127.0.0.1:${port}/files/`;
const transferOf = (settings: Settings) => `${settings.chunkSizeBytes}/${settings.parallelParts}`;

export function createFerryCore(deps: FerryCoreDeps): FerryCore {
  const log = deps.logger ?? pino({ enabled: false });
  const settings = createSettingsStore({ store: deps.settings, log });
  // Per launch: a token that leaked with an old log or screenshot is worthless after a restart.
  const token = randomBytes(24).toString('base64url');
  const hub = createProgressHub({ now: deps.now });
  const queue = createUploadQueue(deps.queuePersistence);
  const receiverListeners = new Set<(receiver: Receiver) => void>();
  const sharing = createSharingControl({ settings, lanAddresses: deps.lanAddresses, log, now: deps.now });
  let receiver: Receiver | undefined;
  let appliedTransfer = transferOf(settings.get());
  let starting: Promise<void> | undefined;
  let closed = false;

  const pool: ManagedPool = createManagedPool(() => {
    const current = settings.get();
    appliedTransfer = transferOf(current);
    return createUploadPool(queue, createTusClient(), {
      ...deps.pool,
      hub,
      concurrency: current.concurrency,
      parallel: current.parallelParts,
      chunkSize: current.chunkSizeBytes,
      rateLimit: current.rateLimitBytesPerSecond,
    });
  });

  const folderOf = (value: Settings) => resolve(value.receiveFolder || deps.defaultReceiveFolder);
  const live = (): Receiver => {
    if (!receiver) throw new IpcFailure(ipcErrorCodes.failed, 'The receiver is not running');
    return receiver;
  };
  const portOf = (value: Receiver) => Number(new URL(value.url).port);
  const embeddedEndpoint = () => `${live().url}/files/`;
  const embeddedTarget = (): UploadTarget => ({
    endpoint: embeddedEndpoint(),
    headers: { authorization: `Bearer ${token}` },
  });
  const windowJobs = createCoreWindowJobs({ hub, embeddedEndpoint });

  /** Starts a receiver and remembers its port for the next launch, and points queued jobs at it. */
  async function openReceiver(dir: string, port: number, previousEndpoints: string[]): Promise<void> {
    const started = await startEmbeddedReceiver({
      dir,
      port,
      token,
      logger: log,
      tuning: { ...deps.receiver, corsOrigins: [...(deps.receiver?.corsOrigins ?? []), ...deps.windowOrigins] },
    });
    receiver = started.receiver;
    if (started.fellBack) log.warn({ wanted: port, port: started.port }, 'the receiver port was taken; using another');
    if (settings.get().receiverPort !== started.port) settings.updateInternal({ receiverPort: started.port });
    const from = new Set([...previousEndpoints, endpointOf(started.port)]);
    retargetEmbeddedJobs(queue, pool, from, embeddedTarget());
    for (const listener of receiverListeners) listener(started.receiver);
    await sharing.attach(started.receiver);
  }

  async function restartReceiver(dir: string, port: number): Promise<void> {
    const old = live();
    const oldPort = portOf(old);
    receiver = undefined;
    sharing.detach();
    await old.close();
    try {
      await openReceiver(dir, port, [endpointOf(oldPort)]);
    } catch (error) {
      // Keep receiving where we did before rather than not at all.
      await openReceiver(old.dir, oldPort, []).catch((reopen) =>
        log.error({ err: reopen }, 'could not restart the receiver'),
      );
      throw error;
    }
  }

  async function applySettings(next: Settings): Promise<void> {
    pool.setConcurrency(next.concurrency);
    pool.setRateLimit(next.rateLimitBytesPerSecond);
    if (transferOf(next) !== appliedTransfer) await pool.rebuild();
    if (!receiver) return;
    const port = next.receiverPort === 0 ? portOf(receiver) : next.receiverPort;
    if (folderOf(next) !== receiver.dir || port !== portOf(receiver)) await restartReceiver(folderOf(next), port);
    await sharing.apply(next);
  }

  const core: FerryCore = {
    get receiver() {
      return live();
    },
    queue,
    pool,
    settings,
    sharing,
    windowJobs,
    start() {
      starting ??= (async () => {
        await queue.restore();
        const stored = settings.get();
        await openReceiver(
          folderOf(stored),
          stored.receiverPort,
          stored.receiverPort > 0 ? [endpointOf(stored.receiverPort)] : [],
        );
        pool.start();
      })();
      return starting;
    },
    receiverInfo() {
      const current = live();
      return { origin: current.url, token, receiveFolder: current.dir, port: portOf(current) };
    },
    target() {
      const { target } = settings.get();
      return target.kind === 'embedded'
        ? embeddedTarget()
        : { endpoint: target.endpoint, headers: { ...target.headers } };
    },
    embeddedEndpoint,
    applySettings,
    async updateSettings(patch) {
      const previous = settings.get();
      const next = settings.update(patch);
      try {
        await applySettings(next);
        return settings.get();
      } catch (error) {
        const { version: _version, ...restore } = previous;
        settings.updateInternal({ ...restore, receiverPort: settings.get().receiverPort });
        await applySettings(settings.get()).catch(() => undefined);
        throw new IpcFailure(ipcErrorCodes.failed, `Could not apply the settings: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    onReceiverChange(listener) {
      receiverListeners.add(listener);
      return () => void receiverListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await starting?.catch(() => undefined);
      await pool.close();
      sharing.close();
      await receiver?.close();
      hub.close();
    },
  };
  return core;
}
