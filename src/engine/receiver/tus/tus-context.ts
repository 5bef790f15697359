import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProgressHub } from '../../progress/progress-hub-api';
import type { UploadStore } from '../store/types';
import type { UploadLocks } from './upload-locks';
import type { MetadataLimits } from './tus-headers';

/** The slice of the progress hub the receiver drives. */
export type ProgressSink = Pick<ProgressHub, 'register' | 'advance' | 'setLength' | 'transition'>;

export interface TusCounters {
  created(): void;
  finished(): void;
  terminated(): void;
  bytes(count: number): void;
}

export interface TusConfig {
  /** Path prefix of the tus endpoint, with a trailing slash: `/files/`. */
  basePath: string;
  maxSize: number;
  expireAfterMs: number;
  metadataLimits: MetadataLimits;
  /** How long a HEAD or PATCH waits for another request to let go of an upload. */
  lockTimeoutMs: number;
}

export interface TusContext {
  store: UploadStore;
  locks: UploadLocks;
  progress: ProgressSink;
  counters: TusCounters;
  config: TusConfig;
  newId(): string;
  /** The id a keyed creation takes or finds (it comes from the key, not from `newId`): guests claim theirs. */
  adoptKeyed?(id: string): void;
  /** sha256 of a file as lowercase hex, hashed off the event loop. */
  hashFile(path: string): Promise<string>;
  /** Moves a finished upload's bytes into the receive folder; returns the relative path. */
  place(dataPath: string, metadata: Record<string, string>): Promise<string>;
  /** Whether a file placed at this relative path is still in the receive folder. */
  placedExists?(relativePath: string): Promise<boolean>;
  log: { warn(data: object, message: string): void; error(data: object, message: string): void };
}

export type TusHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: TusContext,
  id: string | undefined,
) => Promise<void>;
