import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { createProgressHub, type ProgressHub } from '../progress/progress-hub';
import { createAccessPolicy } from './http/access-policy';
import { createExpirySweeper } from './tus/expiry-sweeper';
import { createRequestHandler } from './http/http-routes';
import { trackServerActivity } from './http/server-activity';
import { createReceiverMetrics } from './http/metrics';
import { createMultipartHandler } from './multipart/multipart-handler';
import { multipartStagingDir, sweepStaging } from './multipart/multipart-staging';
import { createLandedKeys } from './multipart/landed-keys';
import { createReceiveFolder, stateFolderName } from './landing/receive-folder';
import { defaultMultipartLimits, resolveReceiverConfig, type ReceiverOptions } from './receiver-config';
import { recoverUploads } from './tus/recover';
import { createFileStore } from './store/file-store';
import type { UploadStore } from './store/types';
import type { UploadStatus } from '../../shared/progress-event';
import type { TusContext } from './tus/tus-context';
import { createUploadLocks } from './tus/upload-locks';
import { createDigestPool } from '../crypto/digest-pool';
import { createLandingThread } from './multipart/landing-thread';
import { createWebSocketEndpoint } from './live/ws-endpoint';
import { createWebPage } from './http/web-page';
import { defaultLanAddresses } from './sharing/lan-listeners';
import { createSharing, type Sharing } from './sharing/sharing';

export type { ReceiverOptions } from './receiver-config';
export type { Sharing, SharingEvent, SharingStartOptions, SharingStatus } from './sharing/sharing';
export type { GuestDecider, GuestRequest } from './sharing/accept-gate';

export interface Receiver {
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Graceful: in-flight PATCH requests flush what they have and answer before the process goes, and
   * it resolves once no request handler is still running (within the grace period), so nothing writes
   * in `dir` after it.
   */
  close(): Promise<void>;
  readonly url: string;
  readonly token: string | null;
  readonly hub: ProgressHub;
  readonly store: UploadStore;
  readonly dir: string;
  /** LAN sharing: a share link and QR code, guest access, PIN and accept prompts. */
  readonly sharing: Sharing;
  /** Runs the expiry sweeper now (tests, admin). */
  sweep(now?: number): Promise<string[]>;
}

const newId = () => randomBytes(16).toString('base64url');

export function createReceiver(options: ReceiverOptions): Receiver {
  const config = resolveReceiverConfig(options);
  const dir = resolve(options.dir);
  const token = options.token === undefined ? randomBytes(24).toString('base64url') : options.token;
  const log =
    options.logger === false || options.logger === undefined
      ? pino({ enabled: options.logger !== false, level: 'info' })
      : options.logger;
  const durable = options.durable ?? true;
  // One hashing pool for the receiver: chunk checksums, end-to-end sha256 and multipart files alike.
  const digests = createDigestPool();
  const landingThread = options.landingThread ?? createLandingThread();
  const store = createFileStore({
    dir: options.stateDir ?? join(dir, stateFolderName, 'uploads'),
    durable,
    reserveBytes: options.freeSpaceReserve,
    digests,
    retainFinishedMs: config.retainFinishedMs,
  });
  const locks = createUploadLocks(config.lockTimeoutMs);
  const metrics = createReceiverMetrics();
  const receiveFolder = createReceiveFolder({ dir, durable });
  const hub = createProgressHub({
    onTransition: (uploadId: string, status: UploadStatus) => {
      // "running" is not persisted: after a restart every unfinished upload is paused anyway.
      if (status === 'running' || status === 'completed' || status === 'expired' || status === 'terminated') return;
      void store
        .get(uploadId)
        .then(async (stored) => {
          if (stored && stored.info.status !== status) await store.update(uploadId, { status });
        })
        .catch((err) => log.warn({ err, uploadId }, 'could not persist status'));
    },
  });
  let port = 0;
  const hosts = new Set<string>();
  const origins = new Set<string>((options.corsOrigins ?? []).map((origin) => origin.toLowerCase()));
  // While sharing is on, its addresses join the allow-lists; the unions are rebuilt only when that changes.
  let allowed = { hosts: hosts as ReadonlySet<string>, origins: origins as ReadonlySet<string> };
  const refreshAllowed = () => {
    const shared = sharing.hosts().length > 0;
    allowed = {
      hosts: shared ? new Set([...hosts, ...sharing.hosts().map((host) => host.toLowerCase())]) : hosts,
      origins: shared ? new Set([...origins, ...sharing.origins().map((origin) => origin.toLowerCase())]) : origins,
    };
  };
  const policy = createAccessPolicy({
    token,
    allowedHosts: () => allowed.hosts,
    allowedOrigins: () => allowed.origins,
    resolveToken: (given) => sharing.resolveToken(given),
  });

  const tus: TusContext = {
    store,
    locks,
    progress: hub,
    counters: {
      created: metrics.created,
      finished: metrics.finished,
      terminated: metrics.terminated,
      bytes: metrics.bytes,
    },
    config: {
      basePath: '/files/',
      maxSize: config.maxSize,
      expireAfterMs: config.expireAfterMs,
      metadataLimits: config.metadataLimits,
      lockTimeoutMs: config.lockTimeoutMs,
    },
    newId,
    hashFile: async (path) => (await digests.digestFile('sha256', path)).toString('hex'),
    async place(dataPath, metadata) {
      const placed = await receiveFolder.place(dataPath, {
        filename: metadata.filename ?? metadata.name ?? 'upload',
        relativePath: metadata.relativePath,
      });
      return placed.relativePath;
    },
    placedExists: (relativePath) =>
      stat(join(receiveFolder.dir, relativePath)).then(
        () => true,
        (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
      ),
    log,
  };
  const multipartDeps = {
    receiveFolder,
    limits: {
      ...defaultMultipartLimits,
      maxFileSize: Math.min(config.maxSize, options.multipartLimits?.maxFileSize ?? Infinity),
      ...options.multipartLimits,
    },
    progress: hub,
    counters: { created: metrics.created, finished: metrics.finished, bytes: metrics.bytes },
    idleTimeoutMs: config.idleTimeoutMs,
    digests,
    landingThread,
  };
  // Bulk requests are the app's own: a guest's handler gets no keys (see multipart-handler).
  const landedKeys = createLandedKeys({
    receiveDir: dir,
    journalPath: join(dir, stateFolderName, 'multipart-keys.jsonl'),
    durable,
    retainMs: config.retainFinishedMs,
  });
  const multipart = createMultipartHandler({ ...multipartDeps, newId, landedKeys });

  // Node checks headersTimeout only every connectionsCheckingInterval (30 s by default), so a
  // slowloris client would outlive a short headers timeout by up to 30 s.
  const server = createServer({
    maxHeaderSize: 16 * 1024,
    connectionsCheckingInterval: Math.min(1_000, Math.max(100, config.headersTimeoutMs / 4)),
  });
  // Node's whole-request timeout would kill a legitimate multi-hour PATCH; a rolling idle timeout frees dead ones instead.
  server.requestTimeout = 0;
  server.headersTimeout = config.headersTimeoutMs;
  server.timeout = config.idleTimeoutMs;
  server.keepAliveTimeout = 5_000;
  const activity = trackServerActivity(server);
  const sweeper = createExpirySweeper(tus, config.sweepIntervalMs);
  const sharing = createSharing({
    http: server,
    port: () => port,
    mainHost: config.host,
    authEnabled: token !== null,
    deviceName: options.deviceName ?? hostname(),
    decider: options.acceptGuest,
    tus,
    // A guest's multipart uploads take ids that are claimed for it as they are made.
    multipartFor: (guestNewId) => createMultipartHandler({ ...multipartDeps, newId: guestNewId }),
    disconnectGuests: (guestIds) => ws.disconnectGuests(guestIds),
    defaults: options.sharingDefaults,
  });
  sharing.api.subscribe((event) => {
    if (event.type === 'started' || event.type === 'stopped' || event.type === 'link-changed') refreshAllowed();
  });
  const ws = createWebSocketEndpoint({
    hub,
    policy,
    maxClients: config.maxWebSocketClients,
    info: () => ({ maxSize: config.maxSize, tusEndpoint: '/files/', version: '1.0.0' }),
    visibleTo: (scope) => sharing.visibleTo(scope),
  });
  const page = createWebPage({ root: options.webRoot });
  const handle = createRequestHandler({
    policy,
    metrics,
    tus,
    multipart,
    openConnections: () => activity.connections.size,
    servePage: page.serve,
    guests: sharing.routes,
  });
  activity.serve(handle, (err, res) => {
    log.error({ err }, 'request failed');
    if (!res.headersSent) res.writeHead(500).end();
  });
  server.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket as Socket, head));
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Oversized headers, smuggling shapes, garbage: answer and close, never crash. A reply already
    // on its way on this socket must not get a raw status line spliced into it.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (!socket.writable || inFlight || err.code === 'ECONNRESET') return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  let url = '';
  let closing: Promise<void> | undefined;

  function allowAddress(address: string) {
    const host = address.includes(':') ? `[${address}]` : address;
    hosts.add(`${host}:${port}`.toLowerCase());
    origins.add(`http://${host}:${port}`.toLowerCase());
  }

  return {
    get url() {
      return url;
    },
    token,
    hub,
    store,
    dir,
    sharing: sharing.api,
    sweep: (now) => sweeper.sweep(now),
    async listen() {
      const report = await store.init();
      if (report.quarantined.length + report.truncated.length + report.rolledBack.length > 0)
        log.warn({ report }, 'reconciled upload state after an unclean stop');
      await recoverUploads(tus, report);
      // Multipart bodies an unclean stop cut off: none can be resumed, and none ever reached the receive folder.
      const swept = await sweepStaging(multipartStagingDir(dir));
      if (swept.length > 0) log.warn({ swept }, 'removed unfinished multipart bodies left by an unclean stop');
      await new Promise<void>((done, fail) => {
        server.once('error', fail);
        server.listen(config.port, config.host, () => done());
      });
      port = (server.address() as AddressInfo).port;
      for (const address of ['127.0.0.1', 'localhost', '::1']) allowAddress(address);
      if (config.host !== '0.0.0.0' && config.host !== '::') allowAddress(config.host);
      else for (const address of defaultLanAddresses()) allowAddress(address);
      refreshAllowed();
      const shown =
        config.host === '0.0.0.0' || config.host === '::' ? (defaultLanAddresses()[0] ?? '127.0.0.1') : config.host;
      url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
      return { url, port };
    },
    close() {
      closing ??= (async () => {
        sweeper.stop();
        // Other devices go first: their listeners close and their tokens end.
        await sharing.close();
        server.close();
        server.closeIdleConnections();
        // Each in-flight writer persists what it has and answers 503 + Retry-After, within the grace period.
        locks.releaseAll();
        const deadline = Date.now() + config.shutdownGraceMs;
        while (locks.activeCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        ws.close();
        // Give the 503s just sent a moment to reach their clients: cutting now would reset them away.
        await activity.lingerUntil(deadline);
        server.closeAllConnections();
        await activity.settleHandlers(deadline);
        // And the record writes no handler waits for (an append's touch).
        await store.settled();
        hub.close();
        await Promise.all([digests.close(), landingThread.close()]);
      })();
      return closing;
    },
  };
}
