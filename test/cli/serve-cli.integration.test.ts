import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function startServe(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      const match = /^Listening on (http:\/\/\S+)$/m.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
  });
  return { child, listening, output: () => stdout };
}

describe('npm run serve', () => {
  it('prints "Listening on", receives a multipart upload and exits cleanly on SIGTERM', async () => {
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
    serve.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a bad flag with a clear message', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts', '--max-size', 'lots'], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Not a size');
  });
});

describe('npm start without an Electron runtime', () => {
  it('explains in one line and points to npm run serve', () => {
    // With no display (and here no runtime either) the app cannot open a window on Linux.
    const result = spawnSync(process.execPath, ['scripts/start.mjs'], { encoding: 'utf8', env: { ...process.env, DISPLAY: '' } });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('npm run serve');
  });
});
