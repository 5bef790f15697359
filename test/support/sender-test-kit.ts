// Test support for the sender suites: temp files with known hashes, and a tiny in-memory tus-like
// server that counts what a real server would see (requests in flight, bytes over time). It always
// reads at full speed: a server that pauses a socket does not notice the client aborting, and would
// count a request the client already dropped as still in flight.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTempDir as makeSharedTempDir } from './files';

export const KiB = 1024;
export const MiB = 1024 * KiB;

export const makeTempDir = (label: string) => makeSharedTempDir(`sender-${label}`);
export { removeDir, sha256File, writeRandomFile } from './files';
export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A small seeded PRNG (mulberry32), so a failing storm can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TinyUpload {
  id: string;
  /** relativePath, else filename, from the creation metadata. */
  name: string;
  length: number;
  chunks: Buffer[];
  offset: number;
  completed: boolean;
  /** The request allowed to append; a newer PATCH takes over (as a lock with request release would). */
  writer?: object;
}

export interface Fault {
  status: number;
  headers?: Record<string, string>;
}

export interface TinyTusOptions {
  extensions?: string[];
  /** Called before a POST or PATCH is handled; a returned fault is answered after the body is drained. */
  fault?: (request: { method: string; name: string; offset: number }) => Fault | undefined;
}

export interface TinyTusServer {
  /** The creation endpoint, `http://127.0.0.1:PORT/files/`. */
  endpoint: string;
  uploads: Map<string, TinyUpload>;
  stats: {
    /** POST and PATCH requests being handled right now, and the most at once. */
    inFlight: number;
    maxInFlight: number;
    /** Distinct files among them. */
    maxFiles: number;
    requests: Record<string, number>;
    faults: number;
    /** Body bytes received so far, and [ms since start, total] samples as they arrive. */
    received: number;
    timeline: [number, number][];
  };
  /** Per file: when its first POST/PATCH arrived and its last one ended (ms since start). */
  spans: Map<string, { first: number; last: number }>;
  /** Milliseconds since the server started. */
  now(): number;
  /** Every POST/PATCH start and end, for a failure message: [ms, '+' | '-', method, name]. */
  events: [number, string, string, string][];
  /** Body bytes that had arrived at `ms` after the server started. */
  receivedAt(ms: number): number;
  /** Completed uploads grouped by file name. */
  completedByName(): Map<string, TinyUpload[]>;
  close(): Promise<void>;
}

function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) out[key] = Buffer.from(value ?? '', 'base64').toString('utf8');
  }
  return out;
}

export async function startTinyTus(options: TinyTusOptions = {}): Promise<TinyTusServer> {
  const started = performance.now();
  const uploads = new Map<string, TinyUpload>();
  const stats: TinyTusServer['stats'] = {
    inFlight: 0,
    maxInFlight: 0,
    maxFiles: 0,
    requests: {},
    faults: 0,
    received: 0,
    timeline: [],
  };
  const filesInFlight = new Map<string, number>();
  const spans = new Map<string, { first: number; last: number }>();
  const now = () => performance.now() - started;
  let nextId = 1;
  const base = { 'Tus-Resumable': '1.0.0', 'Cache-Control': 'no-store' };

  /** Reads the body, appending to `upload` as bytes arrive (a cut request keeps what it delivered). */
  function readBody(req: IncomingMessage, upload: TinyUpload | undefined): Promise<boolean> {
    const writer = {};
    if (upload) upload.writer = writer;
    return new Promise((resolve) => {
      req.on('data', (chunk: Buffer) => {
        stats.received += chunk.length;
        stats.timeline.push([now(), stats.received]);
        if (upload && upload.writer === writer && upload.offset + chunk.length <= upload.length) {
          upload.chunks.push(chunk);
          upload.offset += chunk.length;
        }
      });
      req.once('end', () => resolve(true));
      req.once('close', () => resolve(req.complete));
    });
  }

  const events: [number, string, string, string][] = [];
  function enter(name: string, method: string) {
    events.push([Math.round(now()), '+', method, name]);
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    filesInFlight.set(name, (filesInFlight.get(name) ?? 0) + 1);
    stats.maxFiles = Math.max(stats.maxFiles, filesInFlight.size);
    if (!spans.has(name)) spans.set(name, { first: now(), last: Infinity });
    return () => {
      events.push([Math.round(now()), '-', method, name]);
      stats.inFlight -= 1;
      spans.get(name)!.last = now();
      const left = (filesInFlight.get(name) ?? 1) - 1;
      if (left === 0) filesInFlight.delete(name);
      else filesInFlight.set(name, left);
    };
  }

  const finish = (upload: TinyUpload) => {
    if (upload.offset === upload.length) upload.completed = true;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const method = req.method ?? '';
    stats.requests[method] = (stats.requests[method] ?? 0) + 1;
    const id = (req.url ?? '').replace(/^\/files\/?/, '').split('?')[0]!;
    if (method === 'OPTIONS')
      return void res
        .writeHead(204, {
          ...base,
          'Tus-Version': '1.0.0',
          'Tus-Extension': (options.extensions ?? ['creation', 'creation-with-upload', 'termination']).join(','),
        })
        .end();
    if (method === 'POST') {
      const metadata = parseMetadata(req.headers['upload-metadata'] as string | undefined);
      const name = metadata.relativePath ?? metadata.filename ?? '?';
      const leave = enter(name, method);
      res.once('close', leave);
      const fault = options.fault?.({ method, name, offset: 0 });
      if (fault) return answerFault(req, res, fault);
      const upload: TinyUpload = {
        id: String(nextId++),
        name,
        length: Number(req.headers['upload-length']),
        chunks: [],
        offset: 0,
        completed: false,
      };
      uploads.set(upload.id, upload);
      const withBody = req.headers['content-type'] === 'application/offset+octet-stream';
      if (!(await readBody(req, withBody ? upload : undefined))) return;
      finish(upload);
      return void res
        .writeHead(201, { ...base, Location: `/files/${upload.id}`, 'Upload-Offset': String(upload.offset) })
        .end();
    }
    const upload = uploads.get(id);
    if (!upload) return void (req.resume(), res.writeHead(404, base).end());
    if (method === 'HEAD')
      return void res
        .writeHead(200, { ...base, 'Upload-Offset': String(upload.offset), 'Upload-Length': String(upload.length) })
        .end();
    if (method === 'DELETE') return void (uploads.delete(id), res.writeHead(204, base).end());
    if (method !== 'PATCH') return void (req.resume(), res.writeHead(405, base).end());
    const leave = enter(upload.name, method);
    res.once('close', leave);
    const fault = options.fault?.({ method, name: upload.name, offset: upload.offset });
    if (fault) return answerFault(req, res, fault);
    if (Number(req.headers['upload-offset']) !== upload.offset) {
      await readBody(req, undefined);
      return void res.writeHead(409, { ...base, 'Upload-Offset': String(upload.offset) }).end();
    }
    const whole = await readBody(req, upload);
    if (!whole) return;
    finish(upload);
    res.writeHead(204, { ...base, 'Upload-Offset': String(upload.offset) }).end();
  }

  async function answerFault(req: IncomingMessage, res: ServerResponse, fault: Fault) {
    stats.faults += 1;
    // Drain first: answering mid-body would turn a clean status into a reset at the client.
    if (await readBody(req, undefined)) res.writeHead(fault.status, { ...base, ...fault.headers }).end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}/files/`,
    uploads,
    stats,
    spans,
    now,
    events,
    receivedAt(ms) {
      let total = 0;
      for (const [at, bytes] of stats.timeline) {
        if (at > ms) break;
        total = bytes;
      }
      return total;
    },
    completedByName() {
      const out = new Map<string, TinyUpload[]>();
      for (const upload of uploads.values())
        if (upload.completed) out.set(upload.name, [...(out.get(upload.name) ?? []), upload]);
      return out;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
