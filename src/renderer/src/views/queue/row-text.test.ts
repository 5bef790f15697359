import { describe, expect, it } from 'vitest';
import type { JobView } from '../../../../shared/ipc/job-view';
import { createFormatter } from '../../i18n/format';
import type { I18n } from '../../i18n/i18n-context';
import { createTranslator, type UiLanguage } from '../../i18n/translate';
import { mergeJobWithReceiver } from '../../model/merge-job';
import { countsDown, rowText } from './row-text';

function i18nOf(language: UiLanguage): I18n {
  const translator = createTranslator(language);
  return { ...translator, fmt: createFormatter(language, translator) };
}

const row = (overrides: Partial<JobView>) =>
  mergeJobWithReceiver(
    {
      id: 'j',
      name: 'clip.mov',
      folder: '',
      size: 100,
      status: 'running',
      phase: 'uploading',
      acknowledged: 40,
      sent: 40,
      bytesPerSecond: 0,
      etaSeconds: null,
      attempts: 1,
      endpoint: 'http://127.0.0.1:1/files/',
      addedAt: 0,
      ...overrides,
    },
    undefined,
  );

describe('row text', () => {
  const en = i18nOf('en');

  it('counts down to the next try of a retrying or stalled file', () => {
    const retrying = row({ phase: 'retrying', retryAt: 10_000 });
    expect(countsDown(retrying)).toBe(true);
    expect(rowText(en, retrying, 6_000)).toMatchObject({ word: 'Retrying', detail: 'Next try in 4 s' });
    expect(rowText(en, retrying, 9_200).detail).toBe('Next try in 1 s');
    expect(rowText(en, retrying, 10_000).detail).toBe('Trying again now');
    const stalled = row({ phase: 'stalled', retryAt: 10_000 });
    expect(rowText(en, stalled, 7_500)).toMatchObject({ word: 'Stalled', detail: 'No progress — next try in 3 s' });
    expect(rowText(i18nOf('zh-CN'), stalled, 7_500).detail).toBe('没有进展，3 秒后重试');
  });

  it('says what it can when the pool gave no time', () => {
    expect(countsDown(row({ phase: 'retrying' }))).toBe(false);
    expect(rowText(en, row({ phase: 'retrying' }), 0).detail).toBe('Trying again now');
    expect(rowText(en, row({ phase: 'stalled' }), 0).detail).toBe('No progress — resumes by itself');
    expect(countsDown(row({ phase: 'uploading', retryAt: 10_000 }))).toBe(false);
  });

  it('gives each state its own word', () => {
    const words = [
      row({ status: 'queued', phase: undefined, acknowledged: 0 }),
      row({}),
      row({ phase: 'stalled' }),
      row({ phase: 'retrying' }),
      row({ status: 'queued', phase: 'offline' }),
      row({ status: 'paused', phase: undefined }),
      row({ phase: 'finalizing' }),
      row({ status: 'completed', phase: undefined, finishedAt: Date.now() }),
      row({ status: 'failed', phase: undefined, error: { code: 'SOURCE_CHANGED', message: 'x' } }),
    ].map((each) => rowText(en, each, 0).word);
    expect(words).toEqual([
      'Queued',
      'Uploading',
      'Stalled',
      'Retrying',
      'Waiting for network',
      'Paused',
      'Checking…',
      'Done',
      'Failed: the file changed while sending',
    ]);
  });

  it("shows a done file's sha256 in the detail's tooltip, saying who checked it", () => {
    const digest = '0f'.repeat(32);
    const done = { status: 'completed' as const, phase: undefined, finishedAt: Date.now(), sha256: digest };
    const confirmed = rowText(en, row({ ...done, sha256Confirmed: true }), 0);
    expect(confirmed.detailTitle).toBe(`${confirmed.detail}\nSHA-256 ${digest}, verified by the receiver`);
    expect(rowText(en, row(done), 0).detailTitle).toContain('computed here (the target did not confirm it)');
    expect(rowText(i18nOf('zh-CN'), row({ ...done, sha256Confirmed: true }), 0).detailTitle).toContain(
      `SHA-256 ${digest}，接收方已校验`,
    );
    // Not done: no digest, and the tooltip is the detail.
    const paused = rowText(en, row({ status: 'paused', phase: undefined, sha256: digest }), 0);
    expect(paused.detailTitle).toBe(paused.detail);
  });

  it('says only the time for a file sent today', () => {
    const finishedAt = new Date().setHours(9, 5, 0, 0);
    const detail = rowText(en, row({ status: 'completed', phase: undefined, finishedAt }), 0).detail;
    expect(detail).toMatch(/^Sent at 0?9:05/);
    expect(detail).not.toMatch(/[A-Z][a-z]{2} \d/);
  });
});
