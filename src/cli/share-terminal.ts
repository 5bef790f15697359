// `ferry serve --lan`: the share link and QR code in the terminal, and y/n accept prompts on stdin.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import type { GuestDecider, GuestRequest, Receiver, SharingStatus } from '../engine/receiver/server';
import { formatBytes } from '../shared/units';

/** A PIN someone types on a phone: 4 to 12 digits. */
export function asPin(text: string): string {
  if (!/^\d{4,12}$/.test(text)) throw new InvalidArgumentError('a PIN is 4 to 12 digits');
  return text;
}

export function describeRequest(request: GuestRequest): string {
  const { count, totalBytes, names } = request.files;
  const shown = names.slice(0, 3).join(', ') + (count > 3 ? `, … (${count - 3} more)` : '');
  return `${request.deviceLabel} at ${request.address} wants to send ${count} file${count === 1 ? '' : 's'} (${formatBytes(totalBytes)}): ${shown}`;
}

/**
 * Accept prompts answered on stdin, one at a time in arrival order. A prompt answered elsewhere or
 * withdrawn meanwhile is skipped; once stdin ends, every request is declined.
 */
export function createTerminalDecider(input: Readable, output: Writable): GuestDecider {
  const queue: Array<{ request: GuestRequest; signal: AbortSignal; answer: (accept: boolean) => void }> = [];
  const lines = createInterface({ input, terminal: false });
  let asking: (typeof queue)[number] | undefined;
  let ended = false;

  function next(): void {
    while (!asking && queue.length > 0) {
      const item = queue.shift()!;
      if (item.signal.aborted) continue;
      asking = item;
      output.write(`\n${describeRequest(item.request)}\nAccept? [y/N] `);
    }
  }

  lines.on('line', (line) => {
    const item = asking;
    if (!item) return;
    asking = undefined;
    const accept = /^\s*y(es)?\s*$/i.test(line);
    output.write(accept ? 'Accepted.\n' : 'Declined.\n');
    item.answer(accept);
    next();
  });
  lines.on('close', () => {
    ended = true;
    for (const item of [asking, ...queue.splice(0)]) item?.answer(false);
    asking = undefined;
  });

  return (request, signal) =>
    new Promise<boolean>((resolve) => {
      if (ended) return resolve(false);
      const item = { request, signal, answer: resolve };
      signal.addEventListener(
        'abort',
        () => {
          if (asking !== item) return;
          output.write('(withdrawn)\n');
          asking = undefined;
          next();
        },
        { once: true },
      );
      queue.push(item);
      next();
    });
}

const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);

/** Prints the link, the PIN hint and the QR code, and follows sharing's events on the terminal. */
export async function announceSharing(
  receiver: Receiver,
  status: SharingStatus,
  options: { pin?: string; out?: Writable } = {},
): Promise<void> {
  const out = options.out ?? process.stdout;
  out.write(
    `Sharing with other devices on this network (plain HTTP; turns off after ${minutes(status.idleMs)} without a request):\n`,
  );
  for (const link of status.links) out.write(`  Share link: ${link}\n`);
  if (options.pin) out.write(`  PIN:        ${options.pin} (the page asks for it)\n`);
  if (status.acceptRequired) out.write('  Accept:     each new device asks here first (y/n)\n');
  out.write(`${await receiver.sharing.qr('terminal')}\n`);
  out.write("Scan the QR code with a phone's camera, or open the link on a device on this network.\n");
  receiver.sharing.subscribe((event) => {
    if (event.type === 'guest-joined') out.write(`A device joined: ${event.guest.address}\n`);
    if (event.type === 'stopped' && event.reason === 'idle')
      out.write(
        `Sharing turned off after ${minutes(status.idleMs)} without a request; still receiving on ${receiver.url}\n`,
      );
  });
}
