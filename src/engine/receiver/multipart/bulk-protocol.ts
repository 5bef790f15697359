import type { IncomingMessage } from 'node:http';
import { multipartError } from './multipart-errors';

/**
 * Many small files in one `POST /upload` (`X-Ferry-Features: bulk-upload`). The request says so with
 * `X-Ferry-Bulk: 1`; each file part names, in its field name (a URL query string), what the file is:
 *
 *   Content-Disposition: form-data; name="sha256=<hex>&key=<key>&relativePath=<path>"; filename*=UTF-8''<name>
 *
 * `sha256` is required: the file lands only if its bytes match. `key` (optional, 1 to 200 printable
 * characters) makes the file idempotent: sent again under the same key, it is answered as landed and
 * not landed twice. Each file lands or fails on its own, and the answer lists each one (201: all landed,
 * 207: some failed). A `landed` field (JSON `{"keys": [...]}`) asks what landed under those keys, for a
 * sender whose answer was lost; a request of only that field is answered 200.
 */
export const bulkHeader = 'x-ferry-bulk';

export const isBulkRequest = (req: IncomingMessage) => req.headers[bulkHeader] === '1';

/** What a file part declares about its file. */
export interface BulkPartMeta {
  sha256: string;
  key?: string;
  relativePath?: string;
}

/** The answer for one file part, in the order the parts came. */
export type BulkFileResult =
  | {
      key?: string;
      status: 'landed';
      /** The stored name (sanitized, with any collision suffix). */
      name: string;
      /** Relative to the receive folder, with `/`. */
      path: string;
      size: number;
      /** The sha256 the stored bytes were checked against. */
      sha256: string;
      /** Landed by an earlier request under this key; nothing was stored now. */
      already?: true;
    }
  | { key?: string; status: 'failed'; name: string; error: { code: string; message: string; status: number } };

/** The answer for one key of a `landed` query. */
export type LandedAnswer =
  | { key: string; status: 'landed'; name: string; path: string; size: number; sha256: string }
  /** Nothing landed under it: send the file. */
  | { key: string; status: 'missing' }
  /** A part carrying it is still arriving (its request has not ended on this side): ask again. */
  | { key: string; status: 'arriving' };

const sha256Pattern = /^[0-9a-f]{64}$/i;
/** As tus's `ferry-idempotency-key`. */
const keyPattern = /^[\x21-\x7e]{1,200}$/;
const maxRelativePath = 4096;
/** Keys in one `landed` query: more than a bulk request carries, far fewer than a field holds. */
const maxQueryKeys = 1000;

/** The part's declaration, or a reason it cannot be taken. */
export function parsePartMeta(fieldName: string): BulkPartMeta | { invalid: string } {
  const params = new URLSearchParams(fieldName);
  const sha256 = params.get('sha256');
  if (!sha256 || !sha256Pattern.test(sha256)) return { invalid: 'A bulk file part must declare its sha256 (64 hex)' };
  const meta: BulkPartMeta = { sha256: sha256.toLowerCase() };
  const key = params.get('key');
  if (key !== null) {
    if (!keyPattern.test(key)) return { invalid: 'A bulk file key must be 1 to 200 printable characters' };
    meta.key = key;
  }
  const relativePath = params.get('relativePath');
  if (relativePath !== null) {
    if (relativePath.length > maxRelativePath) return { invalid: 'The relativePath is too long' };
    meta.relativePath = relativePath;
  }
  return meta;
}

/** The keys a `landed` field asks about; throws a 400 for anything else. */
export function parseLandedQuery(value: string): string[] {
  let keys: unknown;
  try {
    keys = (JSON.parse(value) as { keys?: unknown }).keys;
  } catch {
    keys = undefined;
  }
  const fine =
    Array.isArray(keys) &&
    keys.length <= maxQueryKeys &&
    keys.every((key) => typeof key === 'string' && keyPattern.test(key));
  if (!fine)
    throw multipartError('INVALID_LANDED_QUERY', `A landed field is {"keys": [...]}, at most ${maxQueryKeys} keys`);
  return keys as string[];
}
