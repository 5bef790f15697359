import { TusError } from './tus-errors';

/** tus: values are "non-negative integers". Ferry accepts only the canonical decimal form, up to 2^53 - 1. */
export function parseCanonicalInteger(
  value: string | undefined,
  code: 'INVALID_LENGTH' | 'INVALID_OFFSET',
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value)) throw new TusError(code);
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new TusError(code);
  return parsed;
}

/** Bodies of PATCH and creation-with-upload must be `application/offset+octet-stream` (parameters allowed). */
export function isOffsetStream(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim() === 'application/offset+octet-stream';
}

export interface MetadataLimits {
  maxPairs: number;
  maxBytes: number;
}

export type UploadMetadata = Record<string, string>;

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * tus: "The Upload-Metadata request and response header MUST consist of one or more comma-separated
 * key-value pairs. The key and value MUST be separated by a space. The key MUST NOT contain spaces
 * and commas and MUST NOT be empty. The key SHOULD be ASCII encoded and the value MUST be Base64
 * encoded. All keys MUST be unique. The value MAY be empty."
 * The result has a null prototype so keys like `__proto__` are plain data.
 */
export function parseMetadata(header: string | undefined, limits: MetadataLimits): UploadMetadata {
  const metadata = Object.create(null) as UploadMetadata;
  if (header === undefined || header.trim() === '') return metadata;
  if (header.length > limits.maxBytes)
    throw new TusError('INVALID_METADATA', { message: 'Upload-Metadata is too long' });
  const pairs = header.split(',');
  if (pairs.length > limits.maxPairs)
    throw new TusError('INVALID_METADATA', { message: 'Upload-Metadata has too many pairs' });
  for (const rawPair of pairs) {
    const pair = rawPair.trim();
    const parts = pair.split(' ');
    const [key, value = ''] = parts;
    if (parts.length > 2 || !key || !/^[\x21-\x7e]+$/.test(key))
      throw new TusError('INVALID_METADATA', {
        message: `Upload-Metadata has an invalid key near "${pair.slice(0, 40)}"`,
      });
    if (Object.hasOwn(metadata, key))
      throw new TusError('INVALID_METADATA', { message: `Upload-Metadata repeats the key "${key}"` });
    if (!base64Pattern.test(value))
      throw new TusError('INVALID_METADATA', { message: `Upload-Metadata value for "${key}" is not base64` });
    metadata[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return metadata;
}

export function serializeMetadata(metadata: UploadMetadata): string {
  return Object.entries(metadata)
    .map(([key, value]) => (value === '' ? key : `${key} ${Buffer.from(value, 'utf8').toString('base64')}`))
    .join(',');
}

export const checksumAlgorithms = { sha1: 'sha1', sha256: 'sha256', md5: 'md5' } as const;
export type ChecksumAlgorithm = keyof typeof checksumAlgorithms;

export interface ChecksumRequest {
  algorithm: ChecksumAlgorithm;
  digest: Buffer;
}

/** tus checksum: "Upload-Checksum: <algorithm> <Base64 encoded checksum>". */
export function parseChecksum(header: string | undefined): ChecksumRequest | undefined {
  if (header === undefined) return undefined;
  const match = /^([a-z0-9-]+) ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!match) throw new TusError('INVALID_CHECKSUM_HEADER');
  const algorithm = match[1]!;
  if (!Object.hasOwn(checksumAlgorithms, algorithm)) throw new TusError('UNSUPPORTED_CHECKSUM');
  return { algorithm: algorithm as ChecksumAlgorithm, digest: Buffer.from(match[2]!, 'base64') };
}

export type ConcatRequest = { kind: 'partial' } | { kind: 'final'; urls: string[] };

/** tus concatenation: "Upload-Concat: partial" or "final;<url> <url> ...". */
export function parseConcat(header: string | undefined): ConcatRequest | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === 'partial') return { kind: 'partial' };
  if (!value.startsWith('final;')) throw new TusError('INVALID_CONCAT');
  const urls = value.slice('final;'.length).trim().split(/\s+/).filter(Boolean);
  if (urls.length === 0 || urls.length > 1000) throw new TusError('INVALID_CONCAT');
  return { kind: 'final', urls };
}
