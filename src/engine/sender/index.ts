export { createUploadPool, type PoolOptions, type UploadPool } from './upload-pool';
export { createUploadQueue, type UploadQueue, type AddResult } from './upload-queue';
export {
  createJsonFilePersistence,
  createMemoryPersistence,
  type QueueChanges,
  type QueuePersistence,
} from './queue-persistence';
export { createTusClient, type TusClient, type TusTarget } from './tus-client';
export { createBandwidthLimiter, type BandwidthLimiter } from './bandwidth-limiter';
