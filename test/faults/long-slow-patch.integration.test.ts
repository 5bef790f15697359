import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { placedHash, receiverForFile, sha256 } from './support/fixtures';
import { createUpload, openExchange, patchHead, testToken } from './support/http-kit';

// RELIABILITY case 18, scaled down: one request far longer than the idle timeout, never idle for it.
// A whole-request timeout (Node's requestTimeout) or a headers timeout applied to the body would kill it.
const idleTimeoutMs = 1_000;
const sliceEveryMs = 300;
const slices = 17; // ~5 s, five idle periods
const running = receiverForFile({ idleTimeoutMs, headersTimeoutMs: idleTimeoutMs });

describe('a long, slow, steady request', () => {
  it('completes a PATCH and a creation-with-upload POST that each last ~5 idle timeouts', async () => {
    const { port, target } = running;
    const viaPatch = randomBytes(slices * 4096);
    const viaPost = randomBytes(slices * 4096);
    const id = await createUpload(target, viaPatch.length, { filename: 'slow-patch.bin' });
    const patching = openExchange(port, patchHead(port, id, 0, viaPatch.length));
    const posting = openExchange(
      port,
      [
        'POST /files/ HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        `Authorization: Bearer ${testToken}`,
        'Tus-Resumable: 1.0.0',
        `Upload-Length: ${viaPost.length}`,
        `Upload-Metadata: filename ${Buffer.from('slow-post.bin').toString('base64')}`,
        'Content-Type: application/offset+octet-stream',
        `Content-Length: ${viaPost.length}`,
      ].join('\r\n') + '\r\n\r\n',
    );

    const startedAt = Date.now();
    await Promise.all([patching.pace(viaPatch, 4096, sliceEveryMs), posting.pace(viaPost, 4096, sliceEveryMs)]);
    const [patchReply, postReply] = await Promise.all([patching.reply, posting.reply]);
    expect(Date.now() - startedAt).toBeGreaterThan(4 * idleTimeoutMs);
    expect(patchReply?.status, patching.received()).toBe(204);
    expect(postReply?.status, posting.received()).toBe(201);
    expect(postReply?.headers['upload-offset']).toBe(String(viaPost.length));
    expect(await placedHash(running.dir, 'slow-patch.bin')).toBe(sha256(viaPatch));
    expect(await placedHash(running.dir, 'slow-post.bin')).toBe(sha256(viaPost));
  });
});
