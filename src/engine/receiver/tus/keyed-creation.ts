import { createHash } from 'node:crypto';
import type { ConcatInfo, StoredUpload } from '../store/types';
import type { TusContext } from './tus-context';
import type { UploadMetadata } from './tus-headers';
import { TusError } from './tus-errors';
import { isExpired, landedFileGone } from './upload-lookup';

/**
 * Idempotent creation (`X-Ferry-Features: idempotent-creation`). A client that names a key in
 * Upload-Metadata gets, for a repeat of that creation (its answer was lost, or it stalled), the upload
 * the first one made: the same Location and its current offset, and no second file. Finals are
 * idempotent by their parts already (final-upload.ts).
 */
export const idempotencyKeyName = 'ferry-idempotency-key';

/** Failed or expired uploads under a key are passed over, a few times at most, for a fresh one. */
const maxGenerations = 8;
const keyPattern = /^[\x21-\x7e]{1,200}$/;

/**
 * A key within one namespace (a guest's device): the same key from two devices names two uploads, and
 * no key a guest sends can name an upload made by anyone else.
 */
export function scopedIdempotencyKey(scope: string, key: string): string {
  if (!keyPattern.test(key))
    throw new TusError('INVALID_METADATA', {
      message: `Upload-Metadata ${idempotencyKeyName} must be 1 to 200 printable characters`,
    });
  return `scoped.${createHash('sha256').update(`${scope}\0${key}`).digest('base64url')}`;
}

/**
 * The id of a key's generation: derived from the key, so a repeat finds its upload after a restart of
 * the receiver with no index to keep. 22 base64url characters, like the ids `newId` makes.
 */
function keyedId(key: string, generation: number): string {
  return createHash('sha256').update(`${idempotencyKeyName}\0${generation}\0${key}`).digest('base64url').slice(0, 22);
}

/** A new upload's id, held until its record is stored: `release` once `store.create` has settled. */
export type KeyedSlot = { kind: 'existing'; stored: StoredUpload } | { kind: 'new'; id: string; release(): void };

// Keyed ids being created right now, per receiver (its store: a guest's requests get contexts of their
// own): a repeat arriving meanwhile waits and then finds it.
const creating = new WeakMap<object, Map<string, Promise<void>>>();

function claim(ctx: TusContext, id: string): () => void {
  let claims = creating.get(ctx.store);
  if (!claims) creating.set(ctx.store, (claims = new Map()));
  let release!: () => void;
  claims.set(id, new Promise<void>((resolve) => (release = resolve)));
  return () => {
    claims.delete(id);
    release();
  };
}

/**
 * For a creation carrying a key: the upload made earlier under it (same length and kind), or the id
 * a new one takes. Undefined without a key.
 */
export async function keyedSlot(
  ctx: TusContext,
  metadata: UploadMetadata,
  length: number | null,
  concat: ConcatInfo | undefined,
): Promise<KeyedSlot | undefined> {
  const key = metadata[idempotencyKeyName];
  if (key === undefined) return undefined;
  if (!keyPattern.test(key))
    throw new TusError('INVALID_METADATA', {
      message: `Upload-Metadata ${idempotencyKeyName} must be 1 to 200 printable characters`,
    });
  for (let generation = 0; generation < maxGenerations; generation++) {
    const id = keyedId(key, generation);
    for (let pending = creating.get(ctx.store)?.get(id); pending; pending = creating.get(ctx.store)?.get(id))
      await pending;
    const stored = await ctx.store.get(id);
    // Claimed in the same turn as this check; if another request claimed the id while the lookup ran, look again.
    if (!stored) {
      if (creating.get(ctx.store)?.has(id)) return keyedSlot(ctx, metadata, length, concat);
      ctx.adoptKeyed?.(id);
      return { kind: 'new', id, release: claim(ctx, id) };
    }
    const { info } = stored;
    // A completed upload whose file was deleted since is no answer to "send this file": it goes again.
    const usable =
      info.status !== 'failed' &&
      info.status !== 'terminated' &&
      !isExpired(info, ctx.config.expireAfterMs) &&
      !(await landedFileGone(ctx, info));
    // The same key for another length or kind is another upload: it takes the next generation.
    if (
      usable &&
      info.metadata[idempotencyKeyName] === key &&
      info.length === length &&
      info.concat?.kind === concat?.kind
    ) {
      ctx.adoptKeyed?.(id);
      return { kind: 'existing', stored };
    }
  }
  return { kind: 'new', id: ctx.newId(), release: () => undefined };
}
