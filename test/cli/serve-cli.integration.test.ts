import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCli, projectRoot } from '../../scripts/cli-bundle.mjs';

const dirs: string[] = [];
// What `npm run serve` runs: the bundled CLI on plain node, through the `ferry` entry.
const ferry = (args: string[]) => [join(projectRoot, 'scripts', 'ferry.mjs'), 'serve', ...args];
beforeAll(() => ensureCli());
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function startServe(args: string[], viaNpm = false) {
  // Through npm, the way a user runs it: npm, then `sh -c`, then node; with this test's node.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const child = viaNpm
    ? spawn('npm', ['run', '--silent', 'serve', '--', ...args], {
        cwd: projectRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, ferry(args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      const match = /^Listening on (http:\/\/\S+)$/m.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
  });
  return { child, listening, output: () => stdout, errors: () => stderr };
}

describe('npm run serve', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints "Listening on", receives a multipart upload and exits cleanly on %s',
    async (signal) => {
      const dir = await mkdtemp(join(tmpdir(), 'ferry-serve-cli-'));
      dirs.push(dir);
      const serve = startServe(['--port', '0', '--dir', dir, '--token', 'cli-token']);
      const url = await serve.listening;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const form = new FormData();
      form.append('file', new Blob(['from the cli test']), 'note.txt');
      const response = await fetch(`${url}/upload?token=cli-token`, { method: 'POST', body: form });
      expect(response.status).toBe(201);
      expect(await readFile(join(dir, 'note.txt'), 'utf8')).toBe('from the cli test');
      const exited = new Promise<number | null>((resolve) => serve.child.once('exit', resolve));
      serve.child.kill(signal);
      expect(await exited).toBe(0);
      expect(serve.errors()).toContain(`ferry serve: ${signal}, flushing in-flight uploads`);
    },
  );

  it.runIf(process.platform !== 'win32')(
    'flushes and exits when `npm run serve` is stopped with SIGTERM',
    { timeout: 30_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'ferry-serve-npm-'));
      dirs.push(dir);
      const serve = startServe(['--port', '0', '--dir', dir, '--no-auth'], true);
      const url = await serve.listening;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      // stderr closes once serve itself has exited, not just npm or the shell between them.
      const closed = new Promise<void>((resolve) => serve.child.stderr.once('close', resolve));
      serve.child.kill('SIGTERM');
      await closed;
      // SIGTERM when the shell hands it on; "npm exited" when it does not (dash).
      expect(serve.errors()).toMatch(/ferry serve: (SIGTERM|npm exited), flushing in-flight uploads/);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    },
  );

  it('refuses a bad flag with a clear message', () => {
    const result = spawnSync(process.execPath, ferry(['--max-size', 'lots']), { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Not a size');
  });
});
