/**
 * Text whose start shrinks with an ellipsis while its end stays whole: a file's extension, the
 * last folder. The full text is the accessible name and the tooltip.
 */
export function MiddleText({
  head,
  tail,
  full,
  className,
}: {
  head: string;
  tail: string;
  full: string;
  className?: string;
}) {
  return (
    <span className={className ? `middle-text ${className}` : 'middle-text'} title={full}>
      <span className="middle-head" aria-hidden="true">
        {head}
      </span>
      <span className="middle-tail" aria-hidden="true">
        {tail}
      </span>
      <span className="visually-hidden">{full}</span>
    </span>
  );
}
