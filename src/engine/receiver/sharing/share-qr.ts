import QRCode from 'qrcode';

export type QrFormat = 'svg' | 'dataUrl' | 'terminal';

/**
 * The share link as a QR code: an SVG document or a PNG data URL for the app's share panel, or text
 * for a terminal. Medium error correction keeps the code small enough for a phone at arm's length.
 */
export function linkQr(link: string, format: QrFormat): Promise<string> {
  if (format === 'terminal') return QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
  if (format === 'svg') return QRCode.toString(link, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return QRCode.toDataURL(link, { margin: 2, scale: 8, errorCorrectionLevel: 'M' });
}
