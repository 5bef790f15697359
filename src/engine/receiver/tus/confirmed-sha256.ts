import type { UploadInfo } from '../store/types';

/** On the answer that lands a file, and on HEAD of a landed upload: the sha256 its bytes were checked against. */
export const confirmedSha256Header = 'X-Ferry-Sha256';

/**
 * The header naming the sha256 this receiver verified before the file landed: the one the `sha256`
 * metadata declared. A declared digest is always checked on completion and a mismatch never lands, so
 * a landed upload that declared one was verified against it. Nothing for a partial upload (it lands
 * nothing) or an upload that declared no sha256. `landed`: this request just completed the upload
 * (`info` may be the record from before that).
 */
export function confirmedSha256(info: UploadInfo, landed = info.status === 'completed'): Record<string, string> {
  const declared = info.metadata.sha256;
  if (!landed || !declared || info.concat?.kind === 'partial') return {};
  return { [confirmedSha256Header]: declared.toLowerCase() };
}
