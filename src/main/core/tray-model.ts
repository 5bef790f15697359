import type { OverallView } from '../../shared/ipc/job-view';
import { formatPercent, formatSpeed } from './format';

export interface TrayStrings {
  appName: string;
  idle: string;
  paused: string;
  pauseAll: string;
  resumeAll: string;
  open: string;
  quit: string;
  /** "3 of 10 files" */
  files(done: number, total: number): string;
}

export const trayStringsByLanguage: Record<'en' | 'zh-CN', TrayStrings> = {
  en: {
    appName: 'Ferry',
    idle: 'No uploads running',
    paused: 'Paused',
    pauseAll: 'Pause all',
    resumeAll: 'Resume all',
    open: 'Open Ferry',
    quit: 'Quit Ferry',
    files: (done, total) => `${done} of ${total} files`,
  },
  'zh-CN': {
    appName: 'Ferry',
    idle: '没有正在进行的上传',
    paused: '已暂停',
    pauseAll: '全部暂停',
    resumeAll: '全部继续',
    open: '打开 Ferry',
    quit: '退出 Ferry',
    files: (done, total) => `${done} / ${total} 个文件`,
  },
};

/** The tray's strings for a language setting; `system` follows the OS locale. */
export function trayStringsFor(language: string, osLocale: string): TrayStrings {
  const wanted = language === 'system' ? osLocale : language;
  return wanted.toLowerCase().startsWith('zh') ? trayStringsByLanguage['zh-CN'] : trayStringsByLanguage.en;
}

export type TrayItemId = 'progress' | 'pause-all' | 'resume-all' | 'open' | 'quit';
export interface TrayItem {
  id: TrayItemId;
  label: string;
  enabled: boolean;
}
export interface TrayModel {
  tooltip: string;
  items: TrayItem[];
}

export interface TrayState {
  overall: OverallView;
  /** Some job is paused (Resume all has something to do). */
  paused: boolean;
  /** Some job is running or queued (Pause all has something to do). */
  anyRunning: boolean;
  strings: TrayStrings;
  locale: string;
}

/** What the tray shows: pure, so the Electron adapter only copies it into a Menu. */
export function trayModel({ overall, paused, anyRunning, strings, locale }: TrayState): TrayModel {
  const active = overall.active > 0;
  const fraction = overall.size > 0 ? overall.acknowledged / overall.size : 0;
  let status: string;
  if (active) status = `${formatPercent(fraction, locale)} · ${formatSpeed(overall.bytesPerSecond, locale)}`;
  else if (paused) status = strings.paused;
  else status = strings.idle;
  const progress = active || paused ? `${status} — ${strings.files(overall.completed, overall.files)}` : status;
  return {
    tooltip: active || paused ? `${strings.appName} — ${status}` : strings.appName,
    items: [
      { id: 'progress', label: progress, enabled: false },
      { id: 'pause-all', label: strings.pauseAll, enabled: anyRunning },
      { id: 'resume-all', label: strings.resumeAll, enabled: paused },
      { id: 'open', label: strings.open, enabled: true },
      { id: 'quit', label: strings.quit, enabled: true },
    ],
  };
}
