import { createHash } from 'node:crypto';
import { FerryError } from '../../errors';
import { idempotencyKeyName, scopedIdempotencyKey } from '../tus/keyed-creation';
import { TusError } from '../tus/tus-errors';
import { parseMetadata, serializeMetadata, type MetadataLimits, type UploadMetadata } from '../tus/tus-headers';

/**
 * Whose a guest's upload is, written by the receiver into every upload a guest creates (a guest can
 * never set it). It names the device when the page joined with its device secret, so the same phone
 * keeps its uploads across share links and receiver restarts; else the guest, for this share only.
 */
export const ownerMetadataKey = 'ferry-guest-owner';

const deviceSecretPattern = /^[A-Za-z0-9_-]{22,128}$/;
// Room for the pairs the receiver adds (the owner, a scoped key) within the metadata limits.
const reservedBytes = 256;

/**
 * The owner a device secret stands for: a hash of it, so neither records nor memory hold the secret.
 * undefined when the page sent none.
 */
export function deviceOwner(secret: unknown): string | undefined {
  if (secret === undefined || secret === null) return undefined;
  if (typeof secret !== 'string' || !deviceSecretPattern.test(secret))
    throw new FerryError('BAD_DEVICE', 'A device secret is 22 to 128 base64url characters', { status: 400 });
  return `device.${createHash('sha256').update(`ferry-device\0${secret}`).digest('base64url')}`;
}

export const guestOwner = (guestId: string) => `guest.${guestId}`;

export const isOwnedBy = (metadata: UploadMetadata, owner: string) => metadata[ownerMetadataKey] === owner;

/**
 * The Upload-Metadata a guest's creation goes on with: the guest's own pairs, its idempotency key
 * scoped to its owner (one device's key never finds another's upload), and the owner stamp.
 */
export function guestMetadata(header: string | undefined, limits: MetadataLimits, owner: string): string {
  const metadata = parseMetadata(header, {
    maxPairs: Math.max(0, limits.maxPairs - 1),
    maxBytes: Math.max(0, limits.maxBytes - reservedBytes),
  });
  if (Object.hasOwn(metadata, ownerMetadataKey))
    throw new TusError('INVALID_METADATA', { message: `Upload-Metadata ${ownerMetadataKey} is the receiver's to set` });
  const key = metadata[idempotencyKeyName];
  if (key !== undefined) metadata[idempotencyKeyName] = scopedIdempotencyKey(owner, key);
  metadata[ownerMetadataKey] = owner;
  return serializeMetadata(metadata);
}
