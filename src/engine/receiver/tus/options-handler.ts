import type { TusHandler } from './tus-context';
import { checksumAlgorithms } from './tus-headers';
import { ferryFeatures, reply, tusExtensions, tusVersion } from './tus-response';

/** OPTIONS needs neither Tus-Resumable nor a token, so browser preflight works. */
export const handleOptions: TusHandler = async (_req, res, ctx) => {
  reply(res, 204, {
    'Tus-Version': tusVersion,
    'Tus-Extension': tusExtensions.join(','),
    'Tus-Max-Size': String(ctx.config.maxSize),
    'Tus-Checksum-Algorithm': Object.keys(checksumAlgorithms).join(','),
    // Beyond tus: tells Ferry's sender that a `sha256` in Upload-Metadata is checked before a file lands.
    'X-Ferry-Features': ferryFeatures.join(','),
  });
};
