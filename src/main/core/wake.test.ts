import { describe, expect, it } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { restartRunningJobs } from './wake';

describe('wake from sleep', () => {
  it('pauses then resumes exactly the running jobs', () => {
    const jobs = (['running', 'queued', 'paused', 'running', 'failed'] as const).map(
      (status, index) => ({ id: `j${index}`, status }) as UploadJob,
    );
    const calls: string[] = [];
    const pool = {
      pause: (id?: string) => void calls.push(`pause ${id}`),
      resume: (id?: string) => void calls.push(`resume ${id}`),
    };
    expect(restartRunningJobs({ list: () => jobs }, pool)).toEqual(['j0', 'j3']);
    expect(calls).toEqual(['pause j0', 'pause j3', 'resume j0', 'resume j3']);
  });
});
