import { expect, it } from 'vitest';
import { newlyKnownBytes } from './job-runner';

it('counts as newly known only the bytes a HEAD adds beyond what the job already counted as sent', () => {
  // A fresh resume: nothing counted, 8 MB found stored.
  expect(newlyKnownBytes({ sent: 0, acknowledged: 0 }, 8_000_000)).toBe(8_000_000);
  // After a kill: 13 MB counted as sent, 8 MB acknowledged, 13.4 MB found stored.
  expect(newlyKnownBytes({ sent: 13_000_000, acknowledged: 8_000_000 }, 13_400_000)).toBe(400_000);
  // A retry in the same run: the bytes the HEAD reports left from here and were counted already.
  expect(newlyKnownBytes({ sent: 300_000, acknowledged: 0 }, 256_000)).toBe(0);
  // A target that has less than acknowledged adds nothing.
  expect(newlyKnownBytes({ sent: 0, acknowledged: 500 }, 400)).toBe(0);
});
