// `ferry serve --lan`: the link and QR code on the terminal, the PIN, and y/n accept prompts on stdin.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTusUpload, eventually, guestToken, send } from '../support/sharing';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function serveShared(args: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-serve-share-'));
  dirs.push(dir);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/serve.ts', '--port', '0', '--dir', dir, '--log-level', 'warn', ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`${code ?? signal}${code === 0 ? '' : `: ${stderr}`}`)),
  );
  // The announcement ends with a line after the QR code.
  await eventually(
    () => stdout.includes('Scan the QR code') || child.exitCode !== null,
    20_000,
    'the share link and QR code',
  );
  const link = new URL(/Share link: (\S+)/.exec(stdout)?.[1] ?? 'http://invalid');
  return {
    child,
    link,
    output: () => stdout,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('npm run serve -- --lan', () => {
  it('prints the link and a QR code, asks for the PIN, and asks y/n before a new device sends', async () => {
    const serve = await serveShared(['--lan', '127.0.0.2', '--pin', '135790', '--accept', '--share-idle', '10m']);
    let exit = '';
    try {
      expect(serve.link.host).toMatch(/^127\.0\.0\.2:\d+$/);
      const output = serve.output();
      expect(output).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+$/m);
      expect(output).toContain('PIN:        135790');
      expect(output).toContain('turns off after 10 min');
      // The QR code: half-block characters, many rows of them.
      expect(output.split('\n').filter((line) => /[▀▄█]{6}/.test(line)).length).toBeGreaterThan(10);

      const base = serve.link.origin;
      const linkToken = serve.link.searchParams.get('t')!;
      expect(
        (
          await send(`${base}/share/join`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${linkToken}` },
            body: '{"pin":"000000"}',
          })
        ).status,
      ).toBe(401);
      const guest = await guestToken(base, linkToken, { pin: '135790' });
      const asking = send(`${base}/share/ask`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${guest}` },
        body: JSON.stringify({ files: { count: 2, totalBytes: 2048, names: ['a.txt', 'b.txt'] } }),
      });
      await eventually(() => serve.output().includes('Accept? [y/N]'), 10_000, 'the prompt');
      expect(serve.output()).toContain('wants to send 2 files (2.0 KiB): a.txt, b.txt');
      serve.child.stdin.write('y\n');
      expect((await asking).json()).toEqual({ state: 'accepted' });
      expect(await createTusUpload(base, guest, 3)).toMatch(/\w/);
    } finally {
      exit = await serve.stop();
    }
    expect(exit).toBe('0');
  });

  it('declines on "n" and on anything but yes', async () => {
    const serve = await serveShared(['--lan', '127.0.0.2', '--accept']);
    try {
      const base = serve.link.origin;
      const guest = await guestToken(base, serve.link.searchParams.get('t')!);
      const asking = send(`${base}/share/ask`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${guest}` },
        body: '{"files":{"count":1,"totalBytes":1,"names":["x"]}}',
      });
      await eventually(() => serve.output().includes('Accept? [y/N]'), 10_000, 'the prompt');
      serve.child.stdin.write('\n');
      expect((await asking).json()).toEqual({ state: 'declined' });
    } finally {
      await serve.stop();
    }
  });

  it('refuses --lan together with --no-auth', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/serve.ts', '--lan', '127.0.0.2', '--no-auth', '--port', '0'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('--lan needs a token');
  });
});
