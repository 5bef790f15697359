import type { OverallView } from '../../../../shared/ipc/job-view';
import { ProgressBar } from '../../components/progress-bar';
import { useI18n } from '../../i18n/i18n-context';
import type { StateCounts } from '../../model/queue-state';

export interface OverallBarProps {
  overall: OverallView;
  counts: StateCounts;
  onPauseAll(): void;
  onResumeAll(): void;
  onRetryFailed(): void;
  onClearFinished(): void;
}

/** The line that answers, at a glance: is it working, how long is left, does anything need me. */
export function OverallBar({
  overall,
  counts,
  onPauseAll,
  onResumeAll,
  onRetryFailed,
  onClearFinished,
}: OverallBarProps) {
  const { t, tp, fmt } = useI18n();
  const moving = counts.uploading + counts.finalizing;
  const pausable = counts.queued + counts.uploading + counts.stalled + counts.retrying + counts.waiting;
  const fraction =
    overall.size > 0
      ? overall.acknowledged / overall.size
      : overall.files > 0 && overall.completed === overall.files
        ? 1
        : 0;
  const percent = fmt.percent(fraction);

  const parts = [
    tp('summary.files', overall.files, { done: overall.completed, total: overall.files }),
    t('summary.bytes', { done: fmt.bytes(overall.acknowledged), total: fmt.bytes(overall.size) }),
  ];
  if (moving > 0 && overall.bytesPerSecond > 0) {
    parts.push(fmt.speed(overall.bytesPerSecond));
    if (overall.etaSeconds !== null) parts.push(t('summary.eta', { duration: fmt.duration(overall.etaSeconds) }));
  } else if (overall.files > 0 && overall.completed === overall.files) parts.push(t('summary.allDone'));
  else if (moving === 0 && pausable === 0 && counts.paused > 0) parts.push(t('summary.paused'));

  return (
    <section className="overall" aria-label={t('summary.progressLabel')}>
      <div className="overall-line">
        <p className="overall-text" data-testid="overall">
          {parts.map((part, index) => (
            <span key={index} className={index === 0 ? 'overall-part is-lead' : 'overall-part'}>
              {part}
            </span>
          ))}
        </p>
        <div className="overall-actions">
          <button type="button" className="button" onClick={onPauseAll} disabled={pausable === 0}>
            {t('action.pauseAll')}
          </button>
          <button type="button" className="button" onClick={onResumeAll} disabled={counts.paused === 0}>
            {t('action.resumeAll')}
          </button>
          <button
            type="button"
            className={counts.failed > 0 ? 'button button-attention' : 'button'}
            onClick={onRetryFailed}
            disabled={counts.failed === 0}
          >
            {counts.failed > 0 ? t('action.retryFailed', { count: counts.failed }) : t('action.retryFailedNone')}
          </button>
          <button
            type="button"
            className="button"
            onClick={onClearFinished}
            disabled={counts.done + counts.canceled === 0}
          >
            {t('action.clearFinished')}
          </button>
        </div>
      </div>
      <div className="overall-bar">
        <ProgressBar
          fraction={fraction}
          tone={counts.failed > 0 && moving === 0 ? 'failed' : 'uploading'}
          label={t('summary.progressLabel')}
          valueText={t('summary.valueText', {
            done: fmt.bytes(overall.acknowledged),
            total: fmt.bytes(overall.size),
            percent,
          })}
        />
        <span className="overall-percent">{percent}</span>
      </div>
    </section>
  );
}
