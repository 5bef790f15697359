// Messages between the benchmark and its server child processes, plus the
// names of the servers under test.

export type ServerKind = 'ferry' | 'ferry-fast' | 'tus' | 'pipe';

export const serverLabels: Record<ServerKind, string> = {
  ferry: 'Ferry',
  'ferry-fast': 'Ferry (no fsync)',
  tus: '@tus/server',
  pipe: 'bare pipe',
};

/** tus servers take POST + PATCH; the bare pipe takes one PUT per file. */
export function protocolOf(kind: ServerKind): 'tus' | 'put' {
  return kind === 'pipe' ? 'put' : 'tus';
}

export interface ServerStats {
  rssBefore: number;
  rssAfter: number;
  /** Highest RSS sampled while the upload ran. */
  rssPeak: number;
  /** Event-loop delay beyond the sampling tick, in milliseconds. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** User + system CPU time of the server process during the upload. */
  cpuMs: number;
}

export type ParentMessage = { id: number; type: 'mark' | 'stats' | 'close' };

export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'failed'; error: string }
  | { id: number; type: 'marked' }
  | { id: number; type: 'stats'; stats: ServerStats }
  | { id: number; type: 'closed' };
