import type busboy from 'busboy';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFerryError } from '../../errors';
import { inTurns } from '../../in-turns';
import { senderContext } from '../http/sender-context';
import { syncDirectory } from '../../fs/atomic-file';
import { receiveBulkFile, refusePart, type BulkFileDeps, type SettledFile } from './bulk-file';
import { parseLandedQuery, parsePartMeta, type LandedAnswer } from './bulk-protocol';
import type { LandedKeys } from './landed-keys';
import { multipartError, toMultipartError } from './multipart-errors';
import type { PartStream } from './multipart-file-job';
import { watchRequest } from './multipart-request';
import { sendError, sendJson } from './multipart-response';
import { createSyncGroup } from './bulk-sync-group';
import { createLandingGroup } from './bulk-landing-group';
import type { LandingThread } from './landing-thread';

export type BulkDeps = Omit<BulkFileDeps, 'sender' | 'touch' | 'syncGroup' | 'landing'> & {
  idleTimeoutMs: number;
  landingThread: LandingThread;
};

/** How long a `landed` query waits for parts of its keys still arriving elsewhere (a broken request). */
const arrivingWaitMs = 2_000;

/** What landed under each key asked about. */
async function answerQuery(keys: LandedKeys, asked: string[]): Promise<LandedAnswer[]> {
  const arriving = await keys.settled(asked, arrivingWaitMs);
  return Promise.all(
    asked.map(async (key): Promise<LandedAnswer> => {
      if (arriving.has(key)) return { key, status: 'arriving' };
      const found = await keys.find(key);
      if (!found) return { key, status: 'missing' };
      const { path, size, sha256 } = found;
      return { key, status: 'landed', name: path.slice(path.lastIndexOf('/') + 1), path, size, sha256 };
    }),
  );
}

/**
 * A bulk request (bulk-protocol.ts): each file lands as soon as it has arrived whole and matches its
 * sha256, so a request cut halfway keeps what it delivered. The answer lists each file; a failure of
 * the request itself (cut, idle, a limit) is answered as any multipart failure, and the sender asks
 * by `landed` which of its keys made it.
 */
export async function receiveBulk(
  req: IncomingMessage,
  res: ServerResponse,
  parser: busboy.Busboy,
  deps: BulkDeps,
): Promise<void> {
  const watch = watchRequest(req, parser, {
    limits: deps.limits,
    idleTimeoutMs: deps.idleTimeoutMs,
    keepWholeParts: true,
  });
  const { durable } = deps.receiveFolder;
  const syncGroup = createSyncGroup({ durable });
  const landing = createLandingGroup(deps.landingThread, { durable });
  // One random id for the request, and its files numbered under it: thousands of files, one draw.
  const requestId = deps.newId();
  let fileCount = 0;
  const newId = () => `${requestId}.${(fileCount += 1)}`;
  const fileDeps: BulkFileDeps = {
    ...deps,
    newId,
    sender: senderContext(req),
    touch: watch.touch,
    syncGroup,
    landing,
  };
  const results: Promise<SettledFile>[] = [];
  let asked: string[] | undefined;

  parser.on('file', (fieldName, stream: PartStream, info) => {
    if (watch.failure() || !watch.countPart()) {
      stream.resume();
      return;
    }
    const filename = info.filename ?? '';
    const meta = parsePartMeta(fieldName);
    if ('invalid' in meta) {
      results.push(Promise.resolve(refusePart(stream, filename, meta.invalid)));
      return;
    }
    watch.track(stream);
    const result = receiveBulkFile(stream, filename, meta, fileDeps);
    void result.finally(() => watch.untrack(stream));
    results.push(result);
  });

  parser.on('field', (name, value, info) => {
    if (watch.failure() || !watch.countPart()) return;
    if (info.valueTruncated || info.nameTruncated) {
      const limit = deps.limits.maxFieldSize;
      return watch.fail(multipartError('FIELD_TOO_LARGE', `A field is larger than the limit of ${limit} bytes`));
    }
    if (name !== 'landed') return;
    try {
      if (asked) throw multipartError('INVALID_LANDED_QUERY', 'One landed field per request');
      asked = parseLandedQuery(value);
    } catch (error) {
      if (isFerryError(error)) watch.fail(error);
    }
  });

  await watch.parsed;
  // The whole body is here (or the request broke off): the files that arrived whole are synced together.
  syncGroup.end();
  landing.end();
  const settled = await Promise.all(results);
  let failure = watch.failure();
  try {
    // One fsync per folder for all the files that landed in it: only then are they said to have landed.
    if (durable) await Promise.all([...new Set(settled.flatMap((file) => file.folder ?? []))].map(syncDirectory));
  } catch (error) {
    failure ??= toMultipartError(error);
  }
  // In slices: in the app the receiver shares its loop with the window's pushes.
  await inTurns(settled, (file) => file.show());
  // The keys of what landed go to disk before the answer says so: a restart after it forgets none.
  await deps.keys.persist().catch(() => undefined);
  const files = settled.map((file) => file.result);
  if (failure) {
    const closeNow = failure.code === 'REQUEST_IDLE_TIMEOUT' || failure.code === 'REQUEST_ABORTED';
    return sendError(req, res, failure, { closeNow });
  }
  if (files.length === 0 && !asked)
    return sendError(req, res, multipartError('NO_FILES', 'The request contained no files'));
  const landed = asked ? await answerQuery(deps.keys, asked) : undefined;
  const status = files.length === 0 ? 200 : files.every((file) => file.status === 'landed') ? 201 : 207;
  sendJson(res, status, { files, ...(landed ? { landed } : {}) });
}
