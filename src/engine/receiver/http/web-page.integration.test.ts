import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../server';
import { send } from '../../../../test/support/sharing';

let receiver: Receiver | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(webRoot?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-page-'));
  dirs.push(dir);
  receiver = createReceiver({ dir, token: 'tok', logger: false, ...(webRoot ? { webRoot } : {}) });
  return (await receiver.listen()).url;
}

async function builtPage() {
  const root = await mkdtemp(join(tmpdir(), 'ferry-page-root-'));
  dirs.push(root);
  await mkdir(join(root, 'assets'));
  await writeFile(
    join(root, 'index.html'),
    '<!doctype html><script type="module" src="./assets/index-abc.js"></script>',
  );
  await writeFile(join(root, 'assets', 'index-abc.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  await writeFile(join(root, 'secret.txt'), 'not an asset');
  return root;
}

describe('the page at /', () => {
  it("is public, with a strict CSP naming this server's WebSocket, nosniff and no caching of the page itself", async () => {
    const url = await start(await builtPage());
    const page = await send(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`connect-src 'self' ws://${new URL(url).host}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('serves hashed assets for a year, gzipped when asked, and nothing else from the folder', async () => {
    const url = await start(await builtPage());
    const asset = await send(`${url}/assets/index-abc.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await send(`${url}/assets/index-abc.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    for (const path of [
      '/secret.txt',
      '/assets/..%2Fsecret.txt',
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/missing.js',
    ]) {
      const reply = await send(`${url}${path}`);
      expect(reply.status, path).not.toBe(200);
      expect(reply.text).not.toContain('not an asset');
    }
  });

  it('says the page is not built when out/web is missing', async () => {
    const url = await start(join(tmpdir(), 'ferry-no-such-page'));
    const reply = await send(`${url}/`);
    expect(reply.status).toBe(503);
    expect(reply.text).toContain('not built');
    expect(reply.text).toContain('npm run build:web');
  });

  it('still answers a Host it does not serve with 421', async () => {
    const url = await start(await builtPage());
    expect((await send(`${url}/`, { headers: { Host: 'evil.example' } })).status).toBe(421);
  });
});
