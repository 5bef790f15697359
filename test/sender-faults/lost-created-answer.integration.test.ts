import { expect, it } from 'vitest';
import { landedFiles, landedHash, makeFile, queueFiles, runToIdle, stackPerTest, tempDir } from './harness';
import { isCreation } from './scripted-front';

// A small file goes up in the one request that creates its upload. The receiver stores it and the
// file lands, but the 201 never reaches the sender. Its retry must get the same upload back (creation
// is idempotent per file, as final uploads are), not land the file a second time as `photo (1).jpg`.

const stacks = stackPerTest();

it('lands a small file once when the answer to its creation is lost', async () => {
  const stack = await stacks.start();
  const src = await tempDir('src');
  const file = await makeFile(src, 'photo.jpg', 20 * 1024);
  stack.front.script({ method: 'POST', file: 'photo.jpg', times: 1, dropReply: true });
  const { queue } = await queueFiles([file.path], stack.endpoint);
  const [job] = await runToIdle(queue, { chunkSize: 64 * 1024 });

  expect([job!.status, job!.error?.code]).toEqual(['completed', undefined]);
  const dropped = stack.front.log.find((e) => e.replyDropped);
  expect(dropped?.status).toBe(201);
  expect(await landedFiles(stack.dir)).toEqual(['photo.jpg']);
  expect(await landedHash(stack.dir, 'photo.jpg')).toBe(file.hash);
  // One upload on the receiver; the retry asked for it again without its bytes.
  expect(await stack.receiver.store.list()).toHaveLength(1);
  const creations = stack.front.log.filter(isCreation);
  expect(creations.map((e) => e.bodyBytes)).toEqual([file.size, 0]);
});

it('advertises idempotent creation in OPTIONS', async () => {
  const stack = await stacks.start();
  const response = await fetch(stack.endpoint, { method: 'OPTIONS' });
  expect(response.headers.get('x-ferry-features')?.split(',')).toContain('idempotent-creation');
});
