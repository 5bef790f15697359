// `ferry send` run again for a file it sent before: the target is asked (HEAD) before the file counts
// as sent. Still there: "already there", nothing sent. Lost (receiver wiped, a new machine at the
// same address): sent again.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../src/engine/receiver/server';
import { runNode } from '../support/cli-run';
import { landedFiles, landedHash, makeFile, removeTempDirs, tempDir, token } from './harness';

let receiver: Receiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});
afterAll(removeTempDirs);

const send = (args: string[]) => runNode(['--import', 'tsx', 'src/cli/send.ts', ...args]);

async function startReceiver(dir: string, port = 0): Promise<Receiver> {
  receiver = createReceiver({ dir, token, logger: false, durable: false, port });
  await receiver.listen();
  return receiver;
}

/** Requests the receiver saw that create uploads or carry bytes. */
const writes = async (receiver: Receiver) => (await receiver.store.list()).length;

it(
  'checks a file sent before with the target: already there is its own outcome, and a lost one is sent again',
  { timeout: 60_000 },
  async () => {
    const src = await tempDir('src');
    const file = await makeFile(src, 'photo.jpg', 200 * 1024);
    const receiveDir = await tempDir('recv');
    const state = join(await tempDir('state'), 'queue.json');
    const first = await startReceiver(receiveDir);
    const { port } = new URL(first.url);
    const args = [file.path, '--to', `${first.url}/files/`, '--token', token, '--state', state];

    const sent = await send(args);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.lines.at(-1)).toMatch(/^1\/1 files sent in /);
    expect(await landedHash(receiveDir, 'photo.jpg')).toBe(file.hash);
    const uploads = await writes(first);

    // Run again: the receiver still has it. Nothing is sent, and the summary says so.
    const again = await send([...args, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.lines.at(-1)!) as {
      files: { status: string }[];
      completed: number;
      alreadyThere: number;
      failed: number;
      bytes: number;
    };
    expect(summary).toMatchObject({ completed: 1, alreadyThere: 1, failed: 0, bytes: 0 });
    expect(summary.files.map((entry) => entry.status)).toEqual(['already-there']);
    expect(await writes(first)).toBe(uploads);
    expect(await landedFiles(receiveDir)).toEqual(['photo.jpg']);
    const text = await send(args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.lines.at(-1)).toMatch(/^0\/1 files sent, 1 already there, in /);

    // The receiver loses everything (a wiped folder, a new machine at the same address).
    await first.close();
    receiver = undefined;
    await rm(receiveDir, { recursive: true, force: true });
    await startReceiver(receiveDir, Number(port));

    const resent = await send(args);
    expect(resent.code, resent.stderr).toBe(0);
    expect(resent.lines.at(-1)).toMatch(/^1\/1 files sent in /);
    expect(await landedHash(receiveDir, 'photo.jpg')).toBe(file.hash);
    expect(await landedFiles(receiveDir)).toEqual(['photo.jpg']);
  },
);
