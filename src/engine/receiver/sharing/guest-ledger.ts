import { guestOwner } from './guest-owner';

/** Which uploads each guest holds, and whose they are stamped as: the whole of a guest's rights over uploads. */
export interface GuestLedger {
  claim(guestId: string, uploadId: string): void;
  owns(guestId: string, uploadId: string): boolean;
  /** The guest that created an upload, if a guest did (for "from phone" labels). */
  ownerOf(uploadId: string): string | undefined;
  count(guestId: string): number;
  /** The device a guest joined as (guest-owner.ts `deviceOwner`). */
  setDevice(guestId: string, owner: string): void;
  /** The owner stamped on this guest's uploads: its device's, or else its own. */
  ownerKey(guestId: string): string;
  hasDevice(guestId: string): boolean;
  /**
   * Forgets a guest the computer disconnected, and keeps its device out of this link: the same
   * browser joining again is refused until a new link (`clear`).
   */
  disconnect(guestId: string): void;
  isDisconnected(owner: string): boolean;
  forget(guestId: string): void;
  clear(): void;
}

export function createGuestLedger(): GuestLedger {
  const byGuest = new Map<string, Set<string>>();
  const byUpload = new Map<string, string>();
  const devices = new Map<string, string>();
  const disconnected = new Set<string>();

  return {
    claim(guestId, uploadId) {
      let uploads = byGuest.get(guestId);
      if (!uploads) byGuest.set(guestId, (uploads = new Set()));
      uploads.add(uploadId);
      byUpload.set(uploadId, guestId);
    },
    owns: (guestId, uploadId) => byGuest.get(guestId)?.has(uploadId) ?? false,
    ownerOf: (uploadId) => byUpload.get(uploadId),
    count: (guestId) => byGuest.get(guestId)?.size ?? 0,
    setDevice: (guestId, owner) => void devices.set(guestId, owner),
    ownerKey: (guestId) => devices.get(guestId) ?? guestOwner(guestId),
    hasDevice: (guestId) => devices.has(guestId),
    disconnect(guestId) {
      const owner = devices.get(guestId);
      if (owner) disconnected.add(owner);
      this.forget(guestId);
    },
    isDisconnected: (owner) => disconnected.has(owner),
    forget(guestId) {
      for (const uploadId of byGuest.get(guestId) ?? []) byUpload.delete(uploadId);
      byGuest.delete(guestId);
      devices.delete(guestId);
    },
    clear() {
      byGuest.clear();
      byUpload.clear();
      devices.clear();
      disconnected.clear();
    },
  };
}
