// The page's words. `en` is the source; every other language is typed `Messages`, so a missing or
// mistyped translation is a compile error.
const en = {
  lang: 'en',
  sendTo: (device: string) => `Send files to ${device}`,
  chooseFiles: 'Choose files',
  chooseFolder: 'Choose a folder',
  dropHint: 'or drop files or folders here',
  plainHttp: 'Sent over your local network, unencrypted (plain HTTP).',
  connecting: 'Connecting…',
  noLink: 'Open this page with the link or QR code that Ferry shows on the computer.',
  ended: 'This share link has ended. Turn sharing on again on the computer and scan the new QR code.',
  unreachable: 'Can’t reach the computer. Check that this device is on the same network, then reload.',
  disconnected: 'The computer disconnected this device. Ask for a new link to send again.',
  pinTitle: 'Enter the PIN',
  pinHint: (device: string) => `${device} shows the PIN next to the QR code.`,
  pinLabel: 'PIN',
  pinSubmit: 'Continue',
  pinWrong: (left: number) => (left === 1 ? 'Wrong PIN. 1 try left.' : `Wrong PIN. ${left} tries left.`),
  pinLocked: (seconds: number) => `Too many wrong PINs. Try again in ${seconds} s.`,
  waitingApproval: (device: string) => `Waiting for approval on ${device}…`,
  waitingHint: 'Someone at the computer needs to press Accept.',
  declined: (device: string) => `${device} declined these files. Nothing was sent.`,
  overallLabel: 'Overall progress',
  filesCount: (done: number, total: number) => `${done} of ${total} files`,
  bytesOf: (sent: string, total: string) => `${sent} of ${total}`,
  perSecond: (speed: string) => `${speed}/s`,
  timeLeft: (time: string) => `about ${time} left`,
  allDone: (count: number) => (count === 1 ? 'The file was sent.' : `All ${count} files were sent.`),
  chooseAgain: 'Choose the same files again to continue.',
  chooseAgainHint: 'Nothing sent so far is lost: uploads continue where they stopped.',
  offline: 'Paused — offline. Uploads continue when the connection is back.',
  stateQueued: 'Waiting to start',
  stateWaiting: 'Waiting for approval',
  stateUploading: 'Uploading',
  stateChecking: 'Checking…',
  statePausedOffline: 'Paused — offline',
  statePaused: 'Paused',
  stateRetrying: 'Connection lost — retrying',
  stateDone: 'Done',
  stateDeclined: 'Declined',
  stateFailed: (reason: string) => `Failed: ${reason}`,
  retry: 'Retry',
  seconds: (s: number) => `${s} s`,
  minutes: (m: number, s: number) => (s ? `${m} min ${s} s` : `${m} min`),
  hours: (h: number, m: number) => (m ? `${h} h ${m} min` : `${h} h`),
  errorTooLarge: 'the file is too large for the computer',
  errorNoSpace: 'the computer is out of disk space',
  errorGone: 'sharing ended on the computer',
  errorOther: 'the upload stopped',
};

export type Messages = typeof en;

const zhCN: Messages = {
  lang: 'zh-CN',
  sendTo: (device) => `发送文件到 ${device}`,
  chooseFiles: '选择文件',
  chooseFolder: '选择文件夹',
  dropHint: '或把文件或文件夹拖到这里',
  plainHttp: '通过本地网络发送，未加密（HTTP）。',
  connecting: '正在连接…',
  noLink: '请用电脑上 Ferry 显示的链接或二维码打开此页面。',
  ended: '此分享链接已失效。请在电脑上重新开启分享并扫描新的二维码。',
  unreachable: '无法连接到电脑。请确认此设备与电脑在同一网络，然后刷新页面。',
  disconnected: '电脑已断开此设备。如需继续发送，请向对方索取新的链接。',
  pinTitle: '输入 PIN 码',
  pinHint: (device) => `${device} 在二维码旁显示 PIN 码。`,
  pinLabel: 'PIN 码',
  pinSubmit: '继续',
  pinWrong: (left) => `PIN 码错误，还可尝试 ${left} 次。`,
  pinLocked: (seconds) => `PIN 码错误次数过多，请 ${seconds} 秒后再试。`,
  waitingApproval: (device) => `正在等待 ${device} 同意…`,
  waitingHint: '需要有人在电脑上点击“接受”。',
  declined: (device) => `${device} 拒绝了这些文件，没有发送任何内容。`,
  overallLabel: '总进度',
  filesCount: (done, total) => `${done} / ${total} 个文件`,
  bytesOf: (sent, total) => `${sent} / ${total}`,
  perSecond: (speed) => `${speed}/秒`,
  timeLeft: (time) => `约剩 ${time}`,
  allDone: (count) => `${count} 个文件已全部发送。`,
  chooseAgain: '请重新选择相同的文件以继续。',
  chooseAgainHint: '已发送的内容不会丢失，上传会从中断处继续。',
  offline: '已暂停 — 网络断开。恢复连接后会自动继续。',
  stateQueued: '等待开始',
  stateWaiting: '等待同意',
  stateUploading: '正在上传',
  stateChecking: '正在校验…',
  statePausedOffline: '已暂停 — 离线',
  statePaused: '已暂停',
  stateRetrying: '连接中断 — 正在重试',
  stateDone: '完成',
  stateDeclined: '已拒绝',
  stateFailed: (reason) => `失败：${reason}`,
  retry: '重试',
  seconds: (s) => `${s} 秒`,
  minutes: (m, s) => (s ? `${m} 分 ${s} 秒` : `${m} 分钟`),
  hours: (h, m) => (m ? `${h} 小时 ${m} 分` : `${h} 小时`),
  errorTooLarge: '文件超过电脑允许的大小',
  errorNoSpace: '电脑磁盘空间不足',
  errorGone: '电脑已停止分享',
  errorOther: '上传已停止',
};

/** Simplified Chinese for any `zh` preference (the closest of the two for every Chinese reader), else English. */
export function pickMessages(languages: readonly string[]): Messages {
  for (const language of languages) {
    const lower = language.toLowerCase();
    if (lower.startsWith('zh')) return zhCN;
    if (lower.startsWith('en')) return en;
  }
  return en;
}

export function createFormat(t: Messages) {
  const number = new Intl.NumberFormat(t.lang, { maximumFractionDigits: 1 });
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  return {
    bytes(count: number): string {
      let value = count;
      let unit = 0;
      while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit += 1;
      }
      return `${unit === 0 ? Math.round(value) : number.format(value >= 100 ? Math.round(value) : value)} ${units[unit]}`;
    },
    duration(seconds: number): string {
      const s = Math.max(1, Math.round(seconds));
      if (s < 60) return t.seconds(s);
      if (s < 3600) return t.minutes(Math.floor(s / 60), s >= 600 ? 0 : s % 60);
      return t.hours(Math.floor(s / 3600), Math.floor((s % 3600) / 60));
    },
    percent: (fraction: number) => `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`,
  };
}
export type Format = ReturnType<typeof createFormat>;
