import type { TusHandler } from './tus-context';
import { checksumAlgorithms } from './tus-headers';
import { reply, tusExtensions, tusVersion } from './tus-response';

/** OPTIONS needs neither Tus-Resumable nor a token, so browser preflight works. */
export const handleOptions: TusHandler = async (_req, res, ctx) => {
  reply(res, 204, {
    'Tus-Version': tusVersion,
    'Tus-Extension': tusExtensions.join(','),
    'Tus-Max-Size': String(ctx.config.maxSize),
    'Tus-Checksum-Algorithm': Object.keys(checksumAlgorithms).join(','),
  });
};
