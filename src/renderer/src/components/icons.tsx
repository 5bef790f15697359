import type { RowState } from '../model/row-model';

/** Small stroke icons, 16 px, drawn in the current text color. Decorative: names come from text. */
const paths = {
  queued: 'M8 4.5V8l2.5 1.5M14 8A6 6 0 1 1 2 8a6 6 0 0 1 12 0Z',
  uploading: 'M8 13V3.5M4 7l4-4 4 4',
  stalled:
    'M8 5v3.5M8 11v.01M6.9 2.6 1.6 11.8A1.3 1.3 0 0 0 2.7 13.8h10.6a1.3 1.3 0 0 0 1.1-2L9.1 2.6a1.3 1.3 0 0 0-2.2 0Z',
  retrying: 'M13.5 8A5.5 5.5 0 1 1 11.9 4.1M13.5 2v3h-3',
  waiting: 'M1.5 6a9.5 9.5 0 0 1 13 0M4 8.8a6 6 0 0 1 8 0M6.5 11.5a2.2 2.2 0 0 1 3 0M2 2l12 12',
  paused: 'M6 4v8M10 4v8',
  finalizing: 'M8 1.8 2.8 4v4c0 3.1 2.2 5.4 5.2 6.2 3-.8 5.2-3.1 5.2-6.2V4L8 1.8ZM5.7 8l1.6 1.6 3-3',
  done: 'M3 8.5 6.5 12 13 4.5',
  failed: 'M8 4.8v3.6M8 11v.01M14 8A6 6 0 1 1 2 8a6 6 0 0 1 12 0Z',
  canceled: 'M3.8 3.8l8.4 8.4M14 8A6 6 0 1 1 2 8a6 6 0 0 1 12 0Z',
  pause: 'M5.5 3.5v9M10.5 3.5v9',
  resume: 'M5 3.2v9.6L12.5 8 5 3.2Z',
  retry: 'M13.5 8A5.5 5.5 0 1 1 11.9 4.1M13.5 2v3h-3',
  more: 'M3.5 8h.01M8 8h.01M12.5 8h.01',
  close: 'M4 4l8 8M12 4l-8 8',
  add: 'M8 3v10M3 8h10',
  folder:
    'M1.8 4.2c0-.7.5-1.2 1.2-1.2h3l1.5 1.7h5.5c.7 0 1.2.5 1.2 1.2v6.1c0 .7-.5 1.2-1.2 1.2H3c-.7 0-1.2-.5-1.2-1.2V4.2Z',
  file: 'M9 1.8H4.2c-.7 0-1.2.5-1.2 1.2v10c0 .7.5 1.2 1.2 1.2h7.6c.7 0 1.2-.5 1.2-1.2V5.8L9 1.8ZM9 1.8v4h4',
  drop: 'M8 2v8M4.5 6.5 8 10l3.5-3.5M2.5 11v1.7c0 .7.6 1.3 1.3 1.3h8.4c.7 0 1.3-.6 1.3-1.3V11',
  arriving: 'M8 3v9.5M4 9l4 4 4-4',
  open: 'M9.5 2.5h4v4M13.5 2.5 7.5 8.5M12 9.5V13c0 .6-.4 1-1 1H3c-.6 0-1-.4-1-1V5c0-.6.4-1 1-1h3.5',
  info: 'M8 7.2V11M8 5v.01M14 8A6 6 0 1 1 2 8a6 6 0 0 1 12 0Z',
  check: 'M3 8.5 6.5 12 13 4.5',
  copy: 'M5.5 5.5V3.2c0-.7.5-1.2 1.2-1.2h6.1c.7 0 1.2.5 1.2 1.2v6.1c0 .7-.5 1.2-1.2 1.2h-2.3M3.2 5.5h6.1c.7 0 1.2.5 1.2 1.2v6.1c0 .7-.5 1.2-1.2 1.2H3.2c-.7 0-1.2-.5-1.2-1.2V6.7c0-.7.5-1.2 1.2-1.2Z',
  devices: 'M2 3.5h9v6.5H2zM1 12.5h11M12.5 6h2.5v7.5h-2.5z',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  );
}

export function StateIcon({ state }: { state: RowState }) {
  return <Icon name={state} className={`state-icon tone-${state}`} />;
}
