/** Which uploads each guest created: the whole of a guest's rights over existing uploads. */
export interface GuestLedger {
  claim(guestId: string, uploadId: string): void;
  owns(guestId: string, uploadId: string): boolean;
  /** The guest that created an upload, if a guest did (for "from phone" labels). */
  ownerOf(uploadId: string): string | undefined;
  count(guestId: string): number;
  forget(guestId: string): void;
  clear(): void;
}

export function createGuestLedger(): GuestLedger {
  const byGuest = new Map<string, Set<string>>();
  const byUpload = new Map<string, string>();

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
    forget(guestId) {
      for (const uploadId of byGuest.get(guestId) ?? []) byUpload.delete(uploadId);
      byGuest.delete(guestId);
    },
    clear() {
      byGuest.clear();
      byUpload.clear();
    },
  };
}
