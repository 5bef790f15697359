import { randomBytes, randomInt } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, placedHash, removeTempDirs, sha256, stateDirOf, tempDir } from './support/fixtures';
import { createUpload, headOffset, openExchange, patchHead, sleep, type Target } from './support/http-kit';
import { startServe, stopServe, type ServeProcess } from './support/serve-process';

// RELIABILITY case 1: SIGKILL at random points of a PATCH, restart on the same dir and port, resume.
const fileBytes = 6 * 1024 * 1024;
const sliceBytes = 32 * 1024;
const sliceEveryMs = 10;
const killsWanted = 5;

let server: ServeProcess | undefined;

afterAll(async () => {
  if (server) await stopServe(server);
  await removeTempDirs();
});

describe('receiver killed with SIGKILL mid-PATCH', () => {
  it('reports exactly the bytes on disk after each restart and finishes with the source hash', async () => {
    const source = randomBytes(fileBytes);
    const dir = await tempDir('kill9');
    const port = await freePort();
    const target: Target = { port };
    server = await startServe(dir, port);
    const id = await createUpload(target, fileBytes, { filename: 'kill9.bin' });
    const dataPath = join(stateDirOf(dir), id);

    let offset = 0;
    let kills = 0;
    const offsetsAfterKills: number[] = [];
    for (let round = 0; round < 40; round++) {
      const body = source.subarray(offset);
      const exchange = openExchange(port, patchHead(port, id, offset, body.length));
      const sending = exchange.pace(body, sliceBytes, sliceEveryMs);
      if (kills >= killsWanted) {
        await sending;
        const reply = await exchange.reply;
        expect(reply?.status, exchange.received()).toBe(204);
        expect(Number(reply?.headers['upload-offset'])).toBe(fileBytes);
        break;
      }
      // A random point: before the body, early in it, or well into it.
      await sleep(randomInt(0, 400));
      await stopServe(server, 'SIGKILL');
      kills++;
      exchange.stop();
      exchange.socket.destroy();
      server = await startServe(dir, port);

      const reported = await headOffset(target, id);
      const onDisk = (await stat(dataPath)).size;
      // The offset is the data file's size, and those bytes are the source's prefix: nothing torn, nothing invented.
      expect(reported).toBe(onDisk);
      expect(reported).toBeGreaterThanOrEqual(offset);
      const prefix = (await readFile(dataPath)).subarray(0, reported);
      expect(sha256(prefix)).toBe(sha256(source.subarray(0, reported)));
      offsetsAfterKills.push(reported);
      offset = reported;
    }

    expect(kills).toBeGreaterThanOrEqual(killsWanted);
    // At least some kills landed mid-body, so this was not just a loop of restarts.
    expect(new Set(offsetsAfterKills).size).toBeGreaterThanOrEqual(3);
    expect(await headOffset(target, id)).toBe(fileBytes);
    expect(await placedHash(dir, 'kill9.bin')).toBe(sha256(source));
  }, 120_000);
});
