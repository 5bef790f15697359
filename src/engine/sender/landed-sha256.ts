import type { Session } from './transfer-session';

/** Ferry's receiver checks a declared sha256 before a file lands, and then names it (`X-Ferry-Sha256`). */
export const confirmsSha256 = ({ caps }: Pick<Session, 'caps'>) => caps.ferryFeatures.has('end-to-end-sha256');

/**
 * Records the sha256 of a file that just landed at `url`, and whether the receiver confirmed it.
 * `answer` is what the request that landed it said (its `X-Ferry-Sha256`, if any); without one (the
 * last PATCH of a resumed upload), Ferry's receiver is asked by HEAD, once. Other servers never
 * confirm: the digest is this side's own. One not known yet (a plain upload resumed midway) is read
 * from disk.
 */
export async function recordLandedSha256(
  session: Session,
  url: string,
  known: string | undefined,
  answer?: { sha256?: string },
): Promise<void> {
  const { job, target, deps, signal } = session;
  const sha256 = known ?? (await deps.hasher.hashFile(job.path, signal, job.size));
  const named = answer
    ? answer.sha256
    : confirmsSha256(session)
      ? (await deps.client.head(target, url)).sha256
      : undefined;
  await deps.save({ sha256, sha256Confirmed: named === sha256 });
}
