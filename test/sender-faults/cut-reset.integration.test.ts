import { describe, expect, it } from 'vitest';
import { landedHash, makeFile, queueFiles, runToIdle, type Stack, stackPerTest, tempDir } from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 5: the connection is cut (FIN) or reset (RST) mid-body. The client backs off,
// sends HEAD and resumes from the server's offset; the file arrives whole.

const chunkSize = 256 * 1024;
const stacks = stackPerTest();

async function sendThrough(faults: Parameters<Stack['proxy']['arm']>, checksum: boolean) {
  const stack = await stacks.start();
  const src = await tempDir('src');
  const file = await makeFile(src, 'cut.bin', 1024 * 1024 + 123);
  const { queue, samples } = await queueFiles([file.path], stack.endpoint);
  stack.proxy.arm(...faults);
  const [job] = await runToIdle(queue, { chunkSize, checksum });
  return { stack, file, job: job!, samples };
}

function patchesOf(stack: Stack) {
  return stack.front.log.filter((e) => e.method === 'PATCH');
}

describe('cut and reset mid-body', () => {
  it('resumes after a FIN in the middle of a PATCH body, keeping the prefix', async () => {
    const { stack, file, job, samples } = await sendThrough([{ kind: 'cut', afterBytes: 400_000 }], false);
    expect(job.status).toBe('completed');
    expect(stack.proxy.stats.cuts).toBe(1);
    expect(await landedHash(stack.dir, 'cut.bin')).toBe(file.hash);
    // Backed off (a retry was recorded), then asked the server where it stands.
    expect(samples.some((s) => s.phase === 'retrying')).toBe(true);
    const cutPatch = patchesOf(stack).find((e) => e.clientGone);
    expect(cutPatch).toBeDefined();
    const head = stack.front.log.find((e) => e.method === 'HEAD' && e.seq > cutPatch!.seq);
    expect(head?.replyOffset).toBeDefined();
    // Without per-chunk checksums the server keeps the bytes it got: the resume point is mid-chunk.
    expect(head!.replyOffset! % chunkSize).not.toBe(0);
    const next = patchesOf(stack).find((e) => e.seq > head!.seq);
    expect(next?.offset).toBe(head!.replyOffset);
    expect(stack.front.log.filter((e) => e.status === 409)).toHaveLength(0);
  });

  it('resumes after an RST in the middle of a PATCH body', async () => {
    const { stack, file, job } = await sendThrough([{ kind: 'reset', afterBytes: 650_000 }], true);
    expect(job.status).toBe('completed');
    expect(stack.proxy.stats.resets).toBe(1);
    expect(await landedHash(stack.dir, 'cut.bin')).toBe(file.hash);
    const broken = patchesOf(stack).find((e) => e.clientGone);
    expect(broken).toBeDefined();
    const head = stack.front.log.find((e) => e.method === 'HEAD' && e.seq > broken!.seq);
    // Checksums on, yet Ferry's receiver gets none per chunk: the file's sha256 is its check there, so
    // it keeps the bytes of the torn request and the resume point is mid-request.
    expect(broken!.offset).toBeDefined();
    expect(head?.replyOffset).toBeGreaterThan(broken!.offset!);
    const next = patchesOf(stack).find((e) => e.seq > head!.seq);
    expect(next?.offset).toBe(head!.replyOffset);
  });

  it('survives a cut, a reset and another cut in a row', async () => {
    const { stack, file, job } = await sendThrough(
      [
        { kind: 'cut', afterBytes: 200_000 },
        { kind: 'reset', afterBytes: 150_000 },
        { kind: 'cut', afterBytes: 300_000 },
      ],
      true,
    );
    expect(stack.proxy.armed).toBe(0);
    expect(job.status).toBe('completed');
    expect(await landedHash(stack.dir, 'cut.bin')).toBe(file.hash);
    expect(stack.front.log.filter(isCreation)).toHaveLength(1);
    // Bytes on the wire: the file, plus at most one chunk re-sent per fault, plus headers.
    expect(stack.proxy.stats.upstreamBytes).toBeLessThan(file.size + 3 * chunkSize + 32 * 1024);
  });
});
