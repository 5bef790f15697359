import {
  Agent,
  createServer,
  request,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * An HTTP front for the receiver. It answers the first K requests of a kind with scripted errors and
 * passes the rest through, logging every request with its timing. It also lets the fault proxy sit
 * on another port: the receiver only answers to its own Host, and it builds Location from Host.
 */
export interface FrontEntry {
  seq: number;
  method: string;
  path: string;
  uploadId?: string;
  /** The file's name: from Upload-Metadata on POST, from the upload it targets otherwise. */
  file?: string;
  /** performance.now() at arrival and when the answer finished (or the exchange broke). */
  at: number;
  endedAt?: number;
  status?: number;
  /** Upload-Offset the client claimed (PATCH) and the one answered. */
  offset?: number;
  replyOffset?: number;
  /** The receiver's `X-Ferry-Error`, on an error it answered. */
  replyError?: string;
  bodyBytes: number;
  scripted: boolean;
  /** Upload-Concat as sent: `partial`, or `final;<urls>` for the request that seals parts into a file. */
  concat?: string;
  /** Set when the client went away mid-request or the receiver broke the exchange. */
  clientGone?: boolean;
  /** The receiver answered, and the front broke the connection instead of passing the answer on. */
  replyDropped?: boolean;
  upstreamError?: string;
}

export interface ScriptRule {
  method?: string;
  file?: string;
  when?: (entry: FrontEntry) => boolean;
  /** Answers this many matching requests, then steps aside. */
  times: number;
  /** The scripted answer; not used with `dropReply`. */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Passes the request on, then drops the receiver's answer: the client's connection breaks instead (a lost 201). */
  dropReply?: boolean;
}

export interface ScriptedFront {
  readonly port: number;
  readonly url: string;
  readonly log: FrontEntry[];
  script(...rules: ScriptRule[]): void;
  /** Requests not answered yet, by file. */
  inFlight(): FrontEntry[];
  close(): Promise<void>;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function fileFromMetadata(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const pair of header.split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key === 'filename' && value) return Buffer.from(value, 'base64').toString('utf8');
  }
  return undefined;
}

export async function createScriptedFront(upstreamUrl: string): Promise<ScriptedFront> {
  const upstream = new URL(upstreamUrl);
  // No keep-alive towards the receiver: its short idle timeout would race a reused socket.
  const agent = new Agent({ keepAlive: false });
  const log: FrontEntry[] = [];
  const rules: ScriptRule[] = [];
  const fileOfUpload = new Map<string, string>();

  function matchRule(entry: FrontEntry): ScriptRule | undefined {
    const rule = rules.find(
      (r) =>
        r.times > 0 &&
        (!r.method || r.method === entry.method) &&
        (!r.file || r.file === entry.file) &&
        (!r.when || r.when(entry)),
    );
    if (rule) rule.times -= 1;
    return rule;
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '/';
    const uploadId = /^\/files\/([^/?]+)/.exec(path)?.[1];
    const claimed = req.headers['upload-offset'];
    const entry: FrontEntry = {
      seq: log.length,
      method: req.method ?? 'GET',
      path,
      uploadId,
      file:
        req.method === 'POST'
          ? fileFromMetadata(req.headers['upload-metadata'])
          : uploadId
            ? fileOfUpload.get(uploadId)
            : undefined,
      at: performance.now(),
      offset: typeof claimed === 'string' ? Number(claimed) : undefined,
      bodyBytes: 0,
      scripted: false,
      ...(typeof req.headers['upload-concat'] === 'string' ? { concat: req.headers['upload-concat'] } : {}),
    };
    log.push(entry);
    req.on('data', (chunk: Buffer) => (entry.bodyBytes += chunk.length));
    res.on('close', () => {
      entry.endedAt = performance.now();
      if (!res.writableFinished) entry.clientGone = true;
    });

    const rule = matchRule(entry);
    if (rule && !rule.dropReply) {
      entry.scripted = true;
      // Read the whole body first, so the client sees the answer and not a broken pipe.
      req.resume();
      const status = rule.status ?? 500;
      const answer = () => {
        entry.status = status;
        res.writeHead(status, { 'tus-resumable': '1.0.0', 'content-type': 'text/plain', ...rule.headers });
        res.end(rule.body ?? `scripted ${status}`);
      };
      if (req.complete) answer();
      else req.once('end', answer);
      return;
    }

    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers))
      if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
    headers.host = upstream.host;
    const forward = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path, headers, agent },
      (reply) => {
        entry.status = reply.statusCode;
        if (rule?.dropReply) {
          entry.scripted = true;
          entry.replyDropped = true;
          reply.resume();
          res.socket?.destroy();
          return;
        }
        const offset = reply.headers['upload-offset'];
        if (typeof offset === 'string') entry.replyOffset = Number(offset);
        const error = reply.headers['x-ferry-error'];
        if (typeof error === 'string') entry.replyError = error;
        const out: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(reply.headers))
          if (!hopByHop.has(name) && value !== undefined) out[name] = value;
        const location = reply.headers.location;
        if (location) {
          const rewritten = new URL(location, upstreamUrl);
          rewritten.host = req.headers.host ?? rewritten.host;
          out.location = rewritten.toString();
          const id = /\/files\/([^/?]+)/.exec(rewritten.pathname)?.[1];
          if (id && entry.file) fileOfUpload.set(id, entry.file);
        }
        res.writeHead(reply.statusCode ?? 502, out);
        reply.pipe(res);
      },
    );
    forward.on('error', (error) => {
      entry.upstreamError = error.message;
      if (!res.headersSent) {
        entry.status = 502;
        res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
      } else res.destroy();
    });
    req.pipe(forward);
    // A client that vanishes mid-body must look the same to the receiver: the exchange breaks there too.
    req.on('close', () => {
      if (!req.complete) {
        entry.clientGone = true;
        forward.destroy();
      }
    });
  }

  const server = createServer(handle);
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log,
    script: (...more) => void rules.push(...more),
    inFlight: () => log.filter((entry) => entry.endedAt === undefined),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/**
 * A tus POST that starts an upload of bytes, as opposed to one that seals finished parts into a file
 * (or a bulk request to `/upload`, or the question which of its files landed).
 */
export function isCreation(entry: FrontEntry): boolean {
  return entry.method === 'POST' && entry.path.startsWith('/files') && !entry.concat?.startsWith('final');
}
