import type { SharingView } from '../../../shared/ipc/sharing-view';

/** Long PINs read in groups of three or four, longer first: "482 913", "4821 913", "4821 9137". */
export function spacedPin(pin: string): string {
  if (pin.length <= 5) return pin;
  const groups = Math.ceil(pin.length / 4);
  const parts: string[] = [];
  let start = 0;
  for (let index = 0; index < groups; index++) {
    const size = Math.ceil((pin.length - start) / (groups - index));
    parts.push(pin.slice(start, start + size));
    start += size;
  }
  return parts.join(' ');
}

/** Seconds until sharing turns itself off; never more than the idle time (main's clock and ours may differ a little). */
export function secondsLeft(view: Pick<SharingView, 'offAt' | 'idleMs'>, now: number): number {
  return Math.max(0, Math.min(view.idleMs, view.offAt === null ? view.idleMs : view.offAt - now)) / 1000;
}
