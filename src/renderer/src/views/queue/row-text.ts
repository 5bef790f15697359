import type { I18n } from '../../i18n/i18n-context';
import { failureTextOf } from '../../model/error-reasons';
import type { RowModel } from '../../model/row-model';

export interface RowText {
  readonly word: string;
  readonly detail: string;
  /** The detail's tooltip: the detail, and for a landed file its sha256 and who vouches for it. */
  readonly detailTitle: string;
  /** Under the bar: percent, and speed and time left while uploading. */
  readonly progress: string;
  readonly valueText: string;
}

/** A row that shows a countdown to its next try, and needs the clock to tick. */
export const countsDown = (row: RowModel) =>
  row.retryAt !== undefined && (row.state === 'retrying' || row.state === 'stalled');
const counting = (row: RowModel, now: number) => countsDown(row) && row.retryAt! > now;

function detailOf(i18n: I18n, row: RowModel, now: number): string {
  const { t, fmt } = i18n;
  switch (row.state) {
    case 'queued':
    case 'uploading':
      return '';
    case 'stalled':
      return counting(row, now)
        ? t('detail.stalledRetryIn', { duration: fmt.countdown((row.retryAt! - now) / 1000) })
        : t('detail.stalled');
    case 'retrying':
      return counting(row, now)
        ? t('detail.retryingIn', { duration: fmt.countdown((row.retryAt! - now) / 1000) })
        : t('detail.retryingNow');
    case 'waiting':
      return row.phase === 'waiting' ? t('detail.serverBusy') : t('detail.offline');
    case 'paused':
      return t('detail.paused', { percent: fmt.percent(row.fraction) });
    case 'finalizing':
      return t('detail.finalizing');
    case 'done':
      // Today's or another day's time: read from the clock here, as `now` is 0 for rows that do not count down.
      return row.finishedAt !== undefined ? t('detail.done', { time: fmt.time(row.finishedAt) }) : '';
    case 'failed':
      return t(failureTextOf(row.error).advice);
    case 'canceled':
      return t('detail.canceled');
  }
}

function failedWord({ t }: I18n, row: RowModel): string {
  const failure = failureTextOf(row.error);
  return t('row.failedReason', { reason: t(failure.reason, { message: failure.message }) });
}

export function rowText(i18n: I18n, row: RowModel, now: number): RowText {
  const { t, fmt } = i18n;
  const percent = fmt.percent(row.fraction);
  // A file that has not started shows no figures at all: 10,000 rows of "0%" are noise.
  const parts = row.state === 'queued' && row.stored === 0 ? [] : [percent];
  if (row.state === 'uploading' && row.bytesPerSecond > 0) parts.push(fmt.speed(row.bytesPerSecond));
  if (row.state === 'uploading' && row.etaSeconds !== null && row.bytesPerSecond > 0)
    parts.push(t('row.left', { duration: fmt.duration(row.etaSeconds) }));
  const detail = detailOf(i18n, row, now);
  const digest =
    row.sha256 === undefined
      ? ''
      : t(row.sha256Confirmed ? 'detail.sha256Confirmed' : 'detail.sha256Unconfirmed', { sha256: row.sha256 });
  return {
    word: row.state === 'failed' ? failedWord(i18n, row) : t(`state.${row.state}`),
    detail,
    detailTitle: [detail, digest].filter(Boolean).join('\n'),
    progress: parts.join(' · '),
    valueText: t('row.valueText', { stored: fmt.bytes(row.stored), size: fmt.bytes(row.size), percent }),
  };
}
