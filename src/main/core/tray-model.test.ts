import { describe, expect, it } from 'vitest';
import type { OverallView } from '../../shared/ipc/job-view';
import { formatSize, formatSpeed } from './format';
import { trayModel, trayStringsByLanguage, trayStringsFor } from './tray-model';

const en = trayStringsByLanguage.en;
const overall = (patch: Partial<OverallView> = {}): OverallView => ({
  files: 10,
  completed: 3,
  failed: 0,
  active: 2,
  size: 1000,
  acknowledged: 380,
  bytesPerSecond: 12_000_000,
  etaSeconds: 40,
  ...patch,
});
const enabled = (model: ReturnType<typeof trayModel>) =>
  Object.fromEntries(model.items.map((item) => [item.id, item.enabled]));

describe('tray model', () => {
  it('shows percent and speed while uploading, and allows pausing', () => {
    const model = trayModel({ overall: overall(), paused: false, anyRunning: true, strings: en, locale: 'en-US' });
    expect(model.tooltip).toBe('Ferry — 38% · 12 MB/s');
    expect(model.items.map((item) => item.id)).toEqual(['progress', 'pause-all', 'resume-all', 'open', 'quit']);
    expect(model.items[0]).toEqual({ id: 'progress', label: '38% · 12 MB/s — 3 of 10 files', enabled: false });
    expect(enabled(model)).toEqual({ progress: false, 'pause-all': true, 'resume-all': false, open: true, quit: true });
  });

  it('says paused and allows resuming when everything is paused', () => {
    const model = trayModel({
      overall: overall({ active: 0, bytesPerSecond: 0 }),
      paused: true,
      anyRunning: false,
      strings: en,
      locale: 'en',
    });
    expect(model.tooltip).toBe('Ferry — Paused');
    expect(enabled(model)).toMatchObject({ 'pause-all': false, 'resume-all': true });
  });

  it('is plain when idle, with nothing to pause or resume', () => {
    const model = trayModel({
      overall: overall({ active: 0, files: 0, size: 0, acknowledged: 0 }),
      paused: false,
      anyRunning: false,
      strings: en,
      locale: 'en',
    });
    expect(model.tooltip).toBe('Ferry');
    expect(model.items[0]!.label).toBe('No uploads running');
    expect(enabled(model)).toMatchObject({ 'pause-all': false, 'resume-all': false });
  });

  it('allows pause and resume together when some jobs run and some are paused', () => {
    expect(
      enabled(trayModel({ overall: overall(), paused: true, anyRunning: true, strings: en, locale: 'en' })),
    ).toMatchObject({ 'pause-all': true, 'resume-all': true });
  });

  it('speaks Chinese when asked, or when the OS does', () => {
    expect(trayStringsFor('zh-CN', 'en-US').pauseAll).toBe('全部暂停');
    expect(trayStringsFor('system', 'zh-TW').quit).toBe('退出 Ferry');
    expect(trayStringsFor('system', 'de-DE')).toBe(en);
    expect(trayStringsFor('en', 'zh-CN')).toBe(en);
  });

  it('formats sizes and speeds with Intl, and survives a bad locale', () => {
    expect(formatSpeed(12_000_000, 'en-US')).toBe('12 MB/s');
    expect(formatSpeed(1_500_000, 'en-US')).toBe('1.5 MB/s');
    expect(formatSpeed(0, 'en-US')).toBe('0 byte/s');
    expect(formatSize(2_500_000_000, 'en-US')).toBe('2.5 GB');
    expect(formatSize(1_000, 'not_a_locale!!')).toBe('1 kB');
  });
});
