// The page's DOM: three screens (a message, the PIN form, the main list), built with plain elements.
import { droppedFiles, pathOf, type PickedFile } from './dropped-entries';
import type { Format, Messages } from './i18n';
import { splitName, type Row, type Summary } from './model';

type Attrs = Record<string, string>;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export type NoticeKind = 'info' | 'wait' | 'warn' | 'done' | 'error';
export interface Notice {
  kind: NoticeKind;
  text: string;
  hint?: string;
}

export interface MainHandlers {
  picked(files: PickedFile[]): void;
  retry(key: string): void;
}

export interface MainView {
  /** Redraws the overall line, the notice and the rows marked changed (all rows when `keys` is omitted). */
  update(rows: ReadonlyMap<string, Row>, summary: Summary, notice: Notice | undefined, keys?: Iterable<string>): void;
  remove(key: string): void;
  disable(): void;
}

interface RowParts {
  item: HTMLLIElement;
  fill: HTMLDivElement;
  status: HTMLDivElement;
  size: HTMLSpanElement;
  retry: HTMLButtonElement;
}

function header(t: Messages, device: string | undefined): HTMLElement {
  return el(
    'header',
    { class: 'top' },
    el('div', { class: 'brand' }, 'Ferry'),
    ...(device ? [el('h1', { class: 'device' }, t.sendTo(device))] : []),
  );
}

export function createView(root: HTMLElement, t: Messages, format: Format) {
  function screen(...nodes: Node[]): void {
    root.replaceChildren(...nodes);
  }

  function rowStatus(row: Row): string {
    const percent = format.percent(row.size > 0 ? row.sent / row.size : row.state === 'done' ? 1 : 0);
    switch (row.state) {
      case 'uploading': {
        const parts = [percent];
        if (row.bytesPerSecond > 0) parts.push(t.perSecond(format.bytes(row.bytesPerSecond)));
        if (row.etaSeconds !== null && row.bytesPerSecond > 0) parts.push(format.duration(row.etaSeconds));
        return parts.join(' · ');
      }
      case 'queued':
        return t.stateQueued;
      case 'waiting':
        return t.stateWaiting;
      case 'checking':
        return t.stateChecking;
      case 'retrying':
        return `${t.stateRetrying} · ${percent}`;
      case 'paused-offline':
        return `${t.statePausedOffline} · ${percent}`;
      case 'paused':
        return `${t.statePaused} · ${percent}`;
      case 'done':
        return t.stateDone;
      case 'declined':
        return t.stateDeclined;
      case 'failed':
        return t.stateFailed(row.error ?? t.errorOther);
    }
  }

  return {
    message(text: string, device?: string): void {
      screen(header(t, device), el('p', { class: 'message', role: 'status' }, text));
    },

    pin(device: string, error: string | undefined, submit: (pin: string) => void): void {
      const input = el('input', {
        id: 'pin',
        name: 'pin',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        pattern: '[0-9]*',
        maxlength: '12',
        required: '',
        'aria-describedby': 'pin-hint',
      });
      const form = el(
        'form',
        { class: 'pin', novalidate: '' },
        el('h2', {}, t.pinTitle),
        el('p', { id: 'pin-hint', class: 'hint' }, t.pinHint(device)),
        el('label', { for: 'pin' }, t.pinLabel),
        input,
        ...(error ? [el('p', { class: 'error', role: 'alert' }, error)] : []),
        el('button', { type: 'submit', class: 'button primary' }, t.pinSubmit),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        if (input.value.trim()) submit(input.value.trim());
      });
      screen(header(t, device), form);
      input.focus();
    },

    main(device: string, handlers: MainHandlers): MainView {
      const files = el('input', { id: 'files', type: 'file', multiple: '', class: 'visually-hidden', tabindex: '-1' });
      const folder = el('input', {
        id: 'folder',
        type: 'file',
        multiple: '',
        webkitdirectory: '',
        class: 'visually-hidden',
        tabindex: '-1',
      });
      const chooseFiles = el('button', { type: 'button', class: 'button primary big' }, t.chooseFiles);
      const chooseFolder = el('button', { type: 'button', class: 'button secondary' }, t.chooseFolder);
      const supportsFolders = 'webkitdirectory' in folder;
      for (const [button, input] of [
        [chooseFiles, files],
        [chooseFolder, folder],
      ] as const) {
        button.addEventListener('click', () => input.click());
        input.addEventListener('change', () => {
          if (input.files && input.files.length > 0)
            handlers.picked([...input.files].map((file) => ({ file, path: pathOf(file) })));
          input.value = '';
        });
      }
      const count = el('span', { class: 'count' });
      const bytes = el('span', { class: 'bytes' });
      const fill = el('div', { class: 'fill' });
      const speed = el('div', { class: 'sub' });
      const overall = el(
        'section',
        { class: 'overall', 'aria-label': t.overallLabel, hidden: '' },
        el('div', { class: 'line' }, count, bytes),
        el('div', { class: 'bar' }, fill),
        speed,
      );
      const notice = el('div', { class: 'notice', role: 'status', hidden: '' });
      const list = el('ul', { class: 'rows' });
      const parts = new Map<string, RowParts>();
      screen(
        header(t, device),
        overall,
        notice,
        el(
          'div',
          { class: 'pick' },
          chooseFiles,
          ...(supportsFolders ? [chooseFolder] : []),
          el('p', { class: 'drop-hint' }, t.dropHint),
          files,
          folder,
        ),
        list,
        el('footer', {}, t.plainHttp),
      );
      document.addEventListener('dragover', (event) => event.preventDefault());
      document.addEventListener('drop', (event) => {
        event.preventDefault();
        // Folders too: walked to their files, each sent with its path inside, as from the folder button.
        void droppedFiles(event.dataTransfer).then((dropped) => {
          if (dropped.length > 0 && !chooseFiles.disabled) handlers.picked(dropped);
        });
      });

      function partsFor(row: Row): RowParts {
        let found = parts.get(row.key);
        if (found) return found;
        const { stem, ext } = splitName(row.name);
        const retry = el('button', { type: 'button', class: 'retry', hidden: '' }, t.retry);
        retry.addEventListener('click', () => handlers.retry(row.key));
        found = {
          item: el('li', { class: 'row' }),
          fill: el('div', { class: 'fill' }),
          status: el('div', { class: 'status' }),
          size: el('span', { class: 'size' }),
          retry,
        };
        found.item.append(
          el(
            'div',
            { class: 'head' },
            el(
              'span',
              { class: 'name', title: row.name },
              el('span', { class: 'stem' }, stem),
              el('span', { class: 'ext' }, ext),
            ),
            found.size,
          ),
          el('div', { class: 'bar' }, found.fill),
          el('div', { class: 'foot' }, found.status, retry),
        );
        parts.set(row.key, found);
        list.append(found.item);
        return found;
      }

      function drawRow(row: Row): void {
        const p = partsFor(row);
        p.item.className = `row state-${row.state}`;
        p.fill.style.transform = `scaleX(${row.size > 0 ? Math.min(1, row.sent / row.size) : row.state === 'done' ? 1 : 0})`;
        p.size.textContent = format.bytes(row.size);
        p.status.textContent = rowStatus(row);
        p.retry.hidden = row.state !== 'failed' || !row.local;
      }

      return {
        update(rows, summary, current, keys) {
          overall.hidden = summary.total === 0;
          count.textContent = t.filesCount(summary.done, summary.total);
          bytes.textContent = t.bytesOf(format.bytes(summary.sent), format.bytes(summary.size));
          fill.style.transform = `scaleX(${summary.fraction})`;
          const sub = [format.percent(summary.fraction)];
          if (summary.bytesPerSecond > 0) sub.push(t.perSecond(format.bytes(summary.bytesPerSecond)));
          if (summary.etaSeconds !== null) sub.push(t.timeLeft(format.duration(summary.etaSeconds)));
          speed.textContent = sub.join(' · ');
          notice.hidden = !current;
          if (current) {
            notice.className = `notice ${current.kind}`;
            notice.replaceChildren(
              el('strong', {}, current.text),
              ...(current.hint ? [el('span', {}, current.hint)] : []),
            );
          }
          for (const key of keys ?? rows.keys()) {
            const row = rows.get(key);
            if (row) drawRow(row);
          }
        },
        remove(key) {
          parts.get(key)?.item.remove();
          parts.delete(key);
        },
        disable() {
          chooseFiles.disabled = true;
          chooseFolder.disabled = true;
        },
      };
    },
  };
}
