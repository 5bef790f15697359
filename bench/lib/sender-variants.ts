// The senders under test. Ferry's headline configuration is `ferry`, its defaults: to Ferry's receiver
// (`sha256-one-pass`) the file's sha256 is the integrity check, one hash pass per side, so the checksum
// setting changes nothing there and has no row of its own. The parallel row shows what parts buy.
import type { SenderVariant } from './sender-protocol';

const MiB = 2 ** 20;

export const bigVariants: SenderVariant[] = [
  { id: 'ferry', label: 'Ferry', kind: 'ferry', chunkSize: 8 * MiB, parallel: 1, checksum: true },
  { id: 'ferry-p4', label: 'Ferry (parallel 4)', kind: 'ferry', chunkSize: 8 * MiB, parallel: 4, checksum: true },
  { id: 'tusjs', label: 'tus-js-client', kind: 'tus-js', chunkSize: null, parallel: 1, checksum: false },
  { id: 'tusjs-8m', label: 'tus-js-client (8 MiB)', kind: 'tus-js', chunkSize: 8 * MiB, parallel: 1, checksum: false },
];

export const smallVariants: SenderVariant[] = [
  { id: 'ferry', label: 'Ferry', kind: 'ferry', chunkSize: 8 * MiB, parallel: 1, checksum: true },
  {
    id: 'tusjs',
    label: 'tus-js-client',
    kind: 'tus-js',
    chunkSize: null,
    parallel: 1,
    checksum: false,
    dataInCreation: true,
  },
];

/** Rotates the order each run so no sender always goes first (or right after another's write-back). */
export function rotated<T>(items: T[], run: number): T[] {
  const shift = (run - 1) % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
