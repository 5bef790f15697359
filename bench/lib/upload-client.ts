// The one lean client used against every server: tus creation + a single
// streaming PATCH for big files, creation-with-upload for small ones, and a
// plain streaming PUT for the bare pipe. Nothing here should be the bottleneck.
import { createReadStream } from 'node:fs';
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UploadRef } from './files';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Transfer extends UploadRef {
  bytes: number;
  /** Wall time of the data transfer only (PATCH or PUT), not the creation POST. */
  ms: number;
  clientCpuMs: number;
}

export interface UploadClient {
  uploadFile(
    endpoint: string,
    protocol: 'tus' | 'put',
    path: string,
    size: number,
    filename: string,
  ): Promise<Transfer>;
  /** One request per file: tus creation-with-upload, or PUT for the pipe. */
  sendSmall(endpoint: string, protocol: 'tus' | 'put', body: Buffer, filename: string): Promise<UploadRef>;
}

const tusHeaders = { 'Tus-Resumable': '1.0.0' };
const readChunk = 2 ** 20;

export function createUploadClient(agent: Agent | false = false): UploadClient {
  function send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body?: Buffer | Readable,
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body === undefined || Buffer.isBuffer(body)) req.end(body);
      // A server may answer (and close) before the body is sent; the reply wins.
      else pipeline(body, req).catch(reject);
    });
  }

  async function create(endpoint: string, size: number, filename: string, body?: Buffer): Promise<string> {
    const headers: Record<string, string> = {
      ...tusHeaders,
      'Upload-Length': String(size),
      'Upload-Metadata': `filename ${Buffer.from(filename).toString('base64')}`,
      'Content-Length': String(body?.length ?? 0),
    };
    if (body) headers['Content-Type'] = 'application/offset+octet-stream';
    const reply = await send(endpoint, 'POST', headers, body);
    const location = reply.headers.location;
    if (reply.status !== 201 || !location) throw unexpected('POST', endpoint, reply);
    if (body && reply.headers['upload-offset'] !== String(body.length)) {
      throw new Error(`POST ${endpoint} stored ${reply.headers['upload-offset'] ?? 'no'} of ${body.length} bytes`);
    }
    return new URL(location, endpoint).href;
  }

  async function timed(run: () => Promise<Reply>): Promise<{ reply: Reply; ms: number; clientCpuMs: number }> {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const reply = await run();
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    return { reply, ms, clientCpuMs: (used.user + used.system) / 1000 };
  }

  const fileBody = (path: string) => createReadStream(path, { highWaterMark: readChunk });

  return {
    async uploadFile(endpoint, protocol, path, size, filename) {
      if (protocol === 'put') {
        const url = endpoint + encodeURIComponent(filename);
        const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) };
        const { reply, ms, clientCpuMs } = await timed(() => send(url, 'PUT', headers, fileBody(path)));
        if (reply.status !== 201) throw unexpected('PUT', url, reply);
        return { filename, location: url, bytes: size, ms, clientCpuMs };
      }
      const location = await create(endpoint, size, filename);
      const headers = {
        ...tusHeaders,
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(size),
      };
      const { reply, ms, clientCpuMs } = await timed(() => send(location, 'PATCH', headers, fileBody(path)));
      if (reply.status !== 204) throw unexpected('PATCH', location, reply);
      if (reply.headers['upload-offset'] !== String(size)) {
        throw new Error(`PATCH ${location} ended at offset ${reply.headers['upload-offset'] ?? '?'} of ${size}`);
      }
      return { filename, location, bytes: size, ms, clientCpuMs };
    },

    async sendSmall(endpoint, protocol, body, filename) {
      if (protocol === 'tus') return { filename, location: await create(endpoint, body.length, filename, body) };
      const url = endpoint + encodeURIComponent(filename);
      const reply = await send(url, 'PUT', { 'Content-Length': String(body.length) }, body);
      if (reply.status !== 201) throw unexpected('PUT', url, reply);
      return { filename, location: url };
    },
  };
}

function unexpected(method: string, url: string, reply: Reply): Error {
  const detail = reply.body.trim().slice(0, 200);
  return new Error(`${method} ${url} answered ${reply.status}${detail ? `: ${detail}` : ''}`);
}
