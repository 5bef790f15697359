import { describe, expect, it } from 'vitest';
import { en } from './en';
import { createFormatter } from './format';
import { createTranslator, placeholdersOf, resolveLanguage } from './translate';
import { zhCN } from './zh-CN';

const catalogs = { en, 'zh-CN': zhCN } as const;

describe('catalogs', () => {
  it('have the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(Object.entries(catalogs))('%s has no empty message', (_name, catalog) => {
    const empty = Object.entries(catalog).filter(([, message]) => message.trim() === '');
    expect(empty).toEqual([]);
  });

  it('use the same placeholders in every language', () => {
    const mismatched = Object.keys(en)
      .map((key) => key as keyof typeof en)
      .filter((key) => placeholdersOf(en[key]).join() !== placeholdersOf(zhCN[key]).join());
    expect(mismatched).toEqual([]);
  });

  it('come in complete plural pairs', () => {
    const keys = Object.keys(en);
    for (const key of keys.filter((k) => k.endsWith('_one'))) expect(keys).toContain(key.replace(/_one$/, '_other'));
    for (const key of keys.filter((k) => k.endsWith('_other'))) expect(keys).toContain(key.replace(/_other$/, '_one'));
  });
});

describe('translator', () => {
  it('fills placeholders, formatting numbers for the language', () => {
    const t = createTranslator('en');
    expect(t.t('banner.added_other', { count: 12345 })).toBe('Added 12,345 files.');
    // Identifiers such as ports go in as strings: no digit grouping.
    expect(t.t('header.receiving', { port: '41823' })).toBe('Receiving on :41823');
    expect(t.tp('summary.files', 1, { done: 1, total: 1 })).toBe('1 of 1 file');
    expect(t.tp('summary.files', 128, { done: 38, total: 128 })).toBe('38 of 128 files');
    expect(createTranslator('zh-CN').tp('summary.files', 128, { done: 38, total: 128 })).toBe('38 / 128 个文件');
  });

  it('picks the language from the setting or the OS locale', () => {
    expect(resolveLanguage('system', 'zh-CN')).toBe('zh-CN');
    expect(resolveLanguage('system', 'zh-Hans-SG')).toBe('zh-CN');
    expect(resolveLanguage('system', 'zh')).toBe('zh-CN');
    expect(resolveLanguage('system', 'en-GB')).toBe('en');
    expect(resolveLanguage('system', 'de')).toBe('en');
    expect(resolveLanguage('en', 'zh-CN')).toBe('en');
    expect(resolveLanguage('zh-CN', 'en-US')).toBe('zh-CN');
  });
});

describe('formatter', () => {
  const en = createFormatter('en', createTranslator('en'));
  const zh = createFormatter('zh-CN', createTranslator('zh-CN'));

  it('formats sizes with decimal units and fixed decimals', () => {
    expect(en.bytes(512)).toBe('512 B');
    expect(en.bytes(220_000)).toBe('220 kB');
    expect(en.bytes(3_100_000)).toBe('3.1 MB');
    expect(en.bytes(11_000_000_000)).toBe('11.0 GB');
    expect(en.bytes(999_960)).toBe('1.0 MB');
    expect(zh.bytes(4_200_000_000)).toBe('4.2 GB');
  });

  it('formats speeds', () => {
    expect(en.speed(86_000_000)).toBe('86 MB/s');
    expect(en.speed(4_200_000)).toBe('4.2 MB/s');
    expect(en.speed(500)).toBe('500 B/s');
    expect(zh.speed(86_000_000)).toContain('86');
  });

  it('rounds estimates and keeps countdowns exact', () => {
    expect(en.duration(80)).toBe('1 min 20 s');
    expect(en.duration(83)).toBe('1 min 20 s');
    expect(en.duration(42)).toBe('40 s');
    expect(en.duration(4)).toBe('4 s');
    expect(en.duration(59.9)).toBe('1 min');
    expect(en.duration(725)).toBe('12 min');
    expect(en.duration(2 * 3600 + 5 * 60)).toBe('2 h 5 min');
    expect(zh.duration(80)).toBe('1 分 20 秒');
    expect(createTranslator('zh-CN').t('summary.eta', { duration: zh.duration(80) })).toBe('剩余大约 1 分 20 秒');
    expect(createTranslator('en').t('summary.eta', { duration: en.duration(80) })).toBe('about 1 min 20 s left');
    expect(en.countdown(3.2)).toBe('4 s');
    expect(en.countdown(65)).toBe('1 min 5 s');
  });

  it('never shows 100 % before the end', () => {
    expect(en.percent(0.999)).toBe('99%');
    expect(en.percent(1)).toBe('100%');
    expect(en.percent(-1)).toBe('0%');
  });
});
