import type { GuestRequest, SharingStatus } from '../../engine/receiver/server';
import { deviceLabel } from '../../engine/receiver/sharing/device-label';
import { linkQr } from '../../engine/receiver/sharing/share-qr';
import type { IpcError } from '../../shared/ipc/contract';
import type { SharingRequestView, SharingView } from '../../shared/ipc/sharing-view';

export function toRequestView(request: GuestRequest): SharingRequestView {
  return {
    id: request.id,
    guestId: request.guestId,
    label: request.deviceLabel,
    userAgent: request.userAgent,
    address: request.address,
    files: { count: request.files.count, totalBytes: request.files.totalBytes, names: [...request.files.names] },
    requestedAt: request.requestedAt,
  };
}

/**
 * While a device's request runs the idle clock stands still (the engine's `offAt` is null); the
 * window is shown the full idle time then, so its countdown does not flicker during an upload.
 */
export function effectiveOffAt(status: SharingStatus, now: number): number | null {
  if (!status.active) return null;
  return status.offAt ?? now + status.idleMs;
}

export function toSharingView(
  status: SharingStatus,
  qr: string | null,
  error: IpcError | null,
  now: number,
): SharingView {
  return {
    active: status.active,
    link: status.link,
    qr: status.active ? qr : null,
    offAt: effectiveOffAt(status, now),
    idleMs: status.idleMs,
    pinRequired: status.pinRequired,
    acceptRequired: status.acceptRequired,
    guests: status.guests.map((guest) => ({
      id: guest.id,
      label: deviceLabel(guest.userAgent),
      userAgent: guest.userAgent,
      address: guest.address,
      joinedAt: guest.joinedAt,
      approved: guest.approved,
      uploads: guest.uploads,
    })),
    pending: status.pending.map(toRequestView),
    error,
  };
}

/** The QR code of one link at a time, as an <img>-ready data URL (an SVG scales sharply at any size). */
export function createQrCache(render: (link: string) => Promise<string> = (link) => linkQr(link, 'svg')) {
  let cached: { link: string; url: Promise<string> } | undefined;
  return (link: string): Promise<string> => {
    if (cached?.link !== link) {
      const url = render(link).then(
        (svg) => `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`,
      );
      // A failed render is tried again next time rather than remembered.
      url.catch(() => (cached?.url === url ? (cached = undefined) : undefined));
      cached = { link, url };
    }
    return cached.url;
  };
}

/** The desktop notification for a device waiting while the window is hidden: "Android · Chrome wants to send 3 files". */
export function requestNote(
  request: SharingRequestView,
  language: string,
  osLocale: string,
): { title: string; body: string } {
  const chinese = (language === 'system' ? osLocale : language).toLowerCase().startsWith('zh');
  const { count } = request.files;
  if (chinese)
    return {
      title: `${request.label} 想发送 ${count} 个文件`,
      body: `来自 ${request.address}。打开 Ferry 接受或拒绝。`,
    };
  return {
    title: `${request.label} wants to send ${count} ${count === 1 ? 'file' : 'files'}`,
    body: `From ${request.address}. Open Ferry to accept or decline.`,
  };
}
