import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TusContext } from '../tus/tus-context';
import { TusError } from '../tus/tus-errors';
import { parseConcat } from '../tus/tus-headers';
import { effectiveMethod, routeTus } from '../tus/tus-router';
import { requireValidId } from '../tus/upload-lookup';
import type { GuestLedger } from './guest-ledger';
import { guestMetadata, isOwnedBy } from './guest-owner';

export interface GuestTus {
  /** A guest's tus request under the base path; the caller has admitted creations (approval, budget). */
  handle(req: IncomingMessage, res: ServerResponse, guestId: string, pathname: string): Promise<void>;
  /**
   * A device that joins again (a new share link, a restarted receiver) gets back its unfinished
   * uploads: /ws lists them, and the same file picked again continues at the receiver's offset.
   */
  inherit(guestId: string, limit: number): Promise<void>;
}

export function createGuestTus(deps: { tus: TusContext; ledger: GuestLedger }): GuestTus {
  const { tus, ledger } = deps;
  const basePath = tus.config.basePath;

  /** One this guest created, or one stamped with its owner (its device's, from an earlier share). */
  async function mayUse(guestId: string, rawId: string): Promise<boolean> {
    let id: string;
    try {
      id = requireValidId(rawId);
    } catch {
      return false;
    }
    if (ledger.owns(guestId, id)) return true;
    const stored = await tus.store.get(id).catch(() => undefined);
    if (!stored || !isOwnedBy(stored.info.metadata, ledger.ownerKey(guestId))) return false;
    ledger.claim(guestId, id);
    return true;
  }

  const mayUseUrl = (guestId: string, url: string) => {
    const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]!;
    return path.startsWith(basePath) ? mayUse(guestId, path.slice(basePath.length)) : Promise.resolve(false);
  };

  return {
    async handle(req, res, guestId, pathname) {
      const rest = pathname.slice(basePath.length);
      if (rest !== '') {
        // Another device's upload answers exactly like one that does not exist.
        if (!(await mayUse(guestId, rest))) throw new TusError('UPLOAD_NOT_FOUND');
        return routeTus(req, res, tus, pathname);
      }
      if (effectiveMethod(req) === 'POST') {
        req.headers['upload-metadata'] = guestMetadata(
          req.headers['upload-metadata'] as string | undefined,
          tus.config.metadataLimits,
          ledger.ownerKey(guestId),
        );
        const concat = parseConcat(req.headers['upload-concat'] as string | undefined);
        // A final upload may only join this guest's own parts.
        if (concat?.kind === 'final') {
          const owned = await Promise.all(concat.urls.map((url) => mayUseUrl(guestId, url)));
          if (!owned.every(Boolean)) throw new TusError('PARTIAL_NOT_FOUND');
        }
      }
      // New ids, and those a (device-scoped) idempotency key names, are the guest's from the start.
      const claim = (id: string) => ledger.claim(guestId, id);
      const newId = () => {
        const id = tus.newId();
        claim(id);
        return id;
      };
      return routeTus(req, res, { ...tus, newId, adoptKeyed: claim }, pathname);
    },

    async inherit(guestId, limit) {
      if (!ledger.hasDevice(guestId)) return;
      const owner = ledger.ownerKey(guestId);
      for (const info of await tus.store.listActive()) {
        if (ledger.count(guestId) >= limit) return;
        if (isOwnedBy(info.metadata, owner)) ledger.claim(guestId, info.id);
      }
    },
  };
}
