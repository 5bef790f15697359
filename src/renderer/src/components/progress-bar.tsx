/** A bar with the ARIA a screen reader needs; its fill moves by transform, so no layout work per update. */
export function ProgressBar({
  fraction,
  label,
  valueText,
  tone,
  className,
}: {
  fraction: number | null;
  label: string;
  valueText: string;
  tone?: string;
  className?: string;
}) {
  const clamped = fraction === null ? 0 : Math.min(1, Math.max(0, fraction));
  const now = Math.floor(clamped * 100);
  return (
    <div
      className={['progress', tone ? `tone-${tone}` : '', fraction === null ? 'progress-unknown' : '', className ?? '']
        .filter(Boolean)
        .join(' ')}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={fraction === null ? undefined : now}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={{ transform: `scaleX(${clamped})` }} />
    </div>
  );
}
