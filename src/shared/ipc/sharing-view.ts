import * as z from 'zod';

/** A device that joined through the share link. */
export const SharingGuestView = z.object({
  id: z.string(),
  /** A short name from its user agent: "Android · Chrome". */
  label: z.string(),
  userAgent: z.string(),
  address: z.string(),
  joinedAt: z.string(),
  /** Its uploads may start (always true when no accept prompt is asked). */
  approved: z.boolean(),
  uploads: z.number().int().nonnegative(),
});
export type SharingGuestView = z.infer<typeof SharingGuestView>;

/** A new device's first upload, waiting for Accept or Decline. */
export const SharingRequestView = z.object({
  id: z.string(),
  guestId: z.string(),
  label: z.string(),
  userAgent: z.string(),
  address: z.string(),
  files: z.object({
    count: z.number().int().nonnegative(),
    totalBytes: z.number().nonnegative(),
    names: z.array(z.string()),
  }),
  requestedAt: z.string(),
});
export type SharingRequestView = z.infer<typeof SharingRequestView>;

/**
 * Receiving from other devices as the window sees it. The window counts down to `offAt` itself;
 * main pushes again whenever `offAt` moves (a device sent something) or anything else changes.
 */
export const SharingView = z.object({
  active: z.boolean(),
  /** The link to show and copy; null while off. */
  link: z.string().nullable(),
  /** The link as a QR code, a `data:image/svg+xml` URL for an <img> (the window's CSP allows data: images). */
  qr: z.string().nullable(),
  /** Epoch ms when sharing turns itself off unless a device sends something (while one is sending: now + the idle time); null while off. */
  offAt: z.number().nullable(),
  idleMs: z.number().nonnegative(),
  pinRequired: z.boolean(),
  acceptRequired: z.boolean(),
  guests: z.array(SharingGuestView),
  pending: z.array(SharingRequestView),
  /** Why sharing is off although the setting asked for it (no network address, a port taken). */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type SharingView = z.infer<typeof SharingView>;

export const sharingOff: SharingView = {
  active: false,
  link: null,
  qr: null,
  offAt: null,
  idleMs: 0,
  pinRequired: false,
  acceptRequired: false,
  guests: [],
  pending: [],
  error: null,
};
