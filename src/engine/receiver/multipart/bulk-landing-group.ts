import type { LandingFile, LandingOutcome, LandingThread } from './landing-thread';

/**
 * The small files of one bulk request, handed to the landing thread together: each file waits until
 * the body is through (or `maxWaiting` files wait), then they go in one message, are fsynced side by
 * side there, and land. A file handed in after the body ended goes with whatever else comes in the
 * same turn of the loop.
 */
export interface LandingGroup {
  land(file: LandingFile): Promise<LandingOutcome>;
  /** The body is through: what waits goes now. */
  end(): void;
}

export interface LandingGroupOptions {
  durable: boolean;
  /** Files waiting at most; past that the group sends what it holds (bounds the bytes held). */
  maxWaiting?: number;
}

interface Waiting {
  file: LandingFile;
  resolve(outcome: LandingOutcome): void;
  reject(error: unknown): void;
}

export function createLandingGroup(thread: LandingThread, options: LandingGroupOptions): LandingGroup {
  const { durable, maxWaiting = 64 } = options;
  let waiting: Waiting[] = [];
  let ended = false;
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const group = waiting;
    waiting = [];
    if (group.length === 0) return;
    thread
      .land(
        group.map(({ file }) => file),
        durable,
      )
      .then(
        (outcomes) => group.forEach(({ resolve }, index) => resolve(outcomes[index]!)),
        (error: unknown) => group.forEach(({ reject }) => reject(error)),
      );
  };

  return {
    land(file) {
      return new Promise<LandingOutcome>((resolve, reject) => {
        waiting.push({ file, resolve, reject });
        if (waiting.length >= maxWaiting) return flush();
        if (ended && !scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    end() {
      ended = true;
      flush();
    },
  };
}
