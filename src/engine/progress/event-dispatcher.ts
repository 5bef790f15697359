import type { ProgressEvent, UploadStatus } from '../../shared/progress-event';

export interface EventDispatcherOptions {
  /** Runs before subscribers for events that carry a status change. */
  onTransition?: (uploadId: string, status: UploadStatus, event: ProgressEvent) => void;
  /** Receives whatever a subscriber or `onTransition` throws. */
  onListenerError?: (error: unknown, event: ProgressEvent) => void;
}

export interface EventDispatcher {
  deliver(event: ProgressEvent, isTransition: boolean): void;
  /** Holds deliveries until `work` returns, so listeners never see a half-applied change. */
  batch<T>(work: () => T): T;
  subscribe(listener: (event: ProgressEvent) => void): () => void;
  /** Drops every subscriber and anything still queued. */
  clear(): void;
}

interface Subscriber {
  readonly listener: (event: ProgressEvent) => void;
  /** First delivery number it may see: one added mid-dispatch gets nothing already queued. */
  readonly from: number;
}

interface Delivery {
  readonly event: ProgressEvent;
  readonly order: number;
  readonly isTransition: boolean;
}

/**
 * Synchronous fan-out through a single FIFO. A listener that calls back into the
 * hub only enqueues, so every listener sees every upload's events in one order,
 * and the hub's own code never runs listeners in the middle of a change.
 */
export function createEventDispatcher(options: EventDispatcherOptions = {}): EventDispatcher {
  const { onTransition, onListenerError } = options;
  const subscribers = new Set<Subscriber>();
  const queue: Delivery[] = [];
  let nextOrder = 0;
  let draining = false;
  let depth = 0;

  function safely(call: () => void, event: ProgressEvent): void {
    try {
      call();
    } catch (error) {
      try {
        onListenerError?.(error, event);
      } catch {
        // The error reporter failed too; there is nobody left to tell.
      }
    }
  }

  function drain(): void {
    if (draining || depth > 0) return;
    draining = true;
    try {
      // Not for-of: listeners may append while we walk, and clear() may empty the queue.
      for (let i = 0; i < queue.length; i++) {
        const { event, order, isTransition } = queue[i]!;
        if (isTransition && onTransition) safely(() => onTransition(event.uploadId, event.status, event), event);
        for (const subscriber of subscribers) {
          if (subscriber.from <= order) safely(() => subscriber.listener(event), event);
        }
      }
    } finally {
      queue.length = 0;
      draining = false;
    }
  }

  return {
    deliver(event, isTransition) {
      queue.push({ event, order: nextOrder++, isTransition });
      drain();
    },

    batch(work) {
      depth++;
      try {
        return work();
      } finally {
        depth--;
        drain();
      }
    },

    subscribe(listener) {
      const subscriber: Subscriber = { listener, from: nextOrder };
      subscribers.add(subscriber);
      return () => {
        subscribers.delete(subscriber);
      };
    },

    clear() {
      subscribers.clear();
      queue.length = 0;
    },
  };
}
