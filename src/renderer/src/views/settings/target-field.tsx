import { useEffect, useRef, useState } from 'react';
import type { TargetSetting } from '../../../../shared/settings';
import { Icon } from '../../components/icons';
import { useI18n } from '../../i18n/i18n-context';
import { describedBy, Field } from './field';
import type { Saver } from './use-save';

interface HeaderDraft {
  readonly key: number;
  name: string;
  value: string;
}

// RFC 9110 token characters.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const isHttpUrl = (text: string) => {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
};

const filledOf = (drafts: readonly HeaderDraft[]) =>
  drafts.filter((header) => header.name.trim() !== '' || header.value !== '');
const recordOf = (drafts: readonly HeaderDraft[]) =>
  Object.fromEntries(filledOf(drafts).map((header) => [header.name.trim(), header.value]));
const draftsOf = (target: TargetSetting, key: () => number): HeaderDraft[] =>
  target.kind === 'tus' ? Object.entries(target.headers).map(([name, value]) => ({ key: key(), name, value })) : [];

/** Where uploads go: the embedded receiver, or a tus server with its address and request headers. */
export function TargetField({
  target,
  receiveFolder,
  saver,
}: {
  target: TargetSetting;
  receiveFolder: string;
  saver: Saver;
}) {
  const { t } = useI18n();
  const keys = useRef(0);
  const nextKey = () => (keys.current += 1);
  const [kind, setKind] = useState(target.kind);
  const [url, setUrl] = useState(target.kind === 'tus' ? target.endpoint : '');
  const [headers, setHeaders] = useState<HeaderDraft[]>(() => draftsOf(target, nextKey));

  useEffect(() => {
    setKind(target.kind);
    if (target.kind !== 'tus') return;
    setUrl(target.endpoint);
    // Our own save comes back as the same headers: keep the drafts (and focus) as they are.
    setHeaders((current) =>
      JSON.stringify(recordOf(current)) === JSON.stringify(target.headers)
        ? current
        : draftsOf(target, () => (keys.current += 1)),
    );
  }, [target]);

  const saveTus = (endpoint: string, drafts: readonly HeaderDraft[]) => {
    const trimmed = endpoint.trim();
    if (!isHttpUrl(trimmed)) return saver.reject('target', t('invalid.url'));
    if (filledOf(drafts).some((header) => !headerName.test(header.name.trim())))
      return saver.reject('target', t('invalid.headerName'));
    const record = recordOf(drafts);
    const same =
      target.kind === 'tus' && target.endpoint === trimmed && JSON.stringify(target.headers) === JSON.stringify(record);
    if (!same) void saver.save('target', { target: { kind: 'tus', endpoint: trimmed, headers: record } });
  };

  const choose = (next: 'embedded' | 'tus') => {
    setKind(next);
    if (next === 'embedded') void saver.save('target', { target: { kind: 'embedded' } });
    else if (url.trim() !== '') saveTus(url, headers);
  };

  const status = saver.statusOf('target');
  const updateHeader = (key: number, change: Partial<HeaderDraft>) =>
    setHeaders((current) => current.map((header) => (header.key === key ? { ...header, ...change } : header)));

  return (
    <Field id="target" label={t('settings.target')} status={status} group>
      <div className="radio-list" role="radiogroup" aria-labelledby="target-label">
        <label className="radio">
          <input type="radio" name="target" checked={kind === 'embedded'} onChange={() => choose('embedded')} />
          <span>
            {t('settings.targetEmbedded')}
            <span className="radio-hint">{t('settings.targetEmbeddedHint', { folder: receiveFolder })}</span>
          </span>
        </label>
        <label className="radio">
          <input type="radio" name="target" checked={kind === 'tus'} onChange={() => choose('tus')} />
          <span>{t('settings.targetTus')}</span>
        </label>
      </div>
      {kind === 'tus' && (
        <div className="tus-settings">
          <label className="stacked-label" htmlFor="target-url">
            {t('settings.targetUrl')}
          </label>
          <input
            id="target-url"
            className="input input-wide"
            type="url"
            spellCheck={false}
            autoComplete="off"
            placeholder="https://example.com/files/"
            value={url}
            {...describedBy('target', status, false)}
            onChange={(event) => setUrl(event.target.value)}
            onBlur={() => saveTus(url, headers)}
            onKeyDown={(event) => event.key === 'Enter' && saveTus(url, headers)}
          />
          <p className="field-hint">{t('settings.targetUrlHint')}</p>
          <p className="stacked-label" id="target-headers">
            {t('settings.headers')}
          </p>
          <div className="header-list" role="group" aria-labelledby="target-headers">
            {headers.map((header, index) => (
              <div className="header-row" key={header.key}>
                <input
                  className="input"
                  aria-label={t('settings.headerNameN', { n: String(index + 1) })}
                  placeholder={t('settings.headerName')}
                  spellCheck={false}
                  autoComplete="off"
                  value={header.name}
                  onChange={(event) => updateHeader(header.key, { name: event.target.value })}
                  onBlur={() => saveTus(url, headers)}
                />
                <input
                  className="input input-grow"
                  aria-label={t('settings.headerValueN', { n: String(index + 1) })}
                  placeholder={t('settings.headerValue')}
                  spellCheck={false}
                  autoComplete="off"
                  value={header.value}
                  onChange={(event) => updateHeader(header.key, { value: event.target.value })}
                  onBlur={() => saveTus(url, headers)}
                />
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('settings.removeHeader', { n: String(index + 1) })}
                  title={t('settings.removeHeader', { n: String(index + 1) })}
                  onClick={() => {
                    const next = headers.filter((entry) => entry.key !== header.key);
                    setHeaders(next);
                    saveTus(url, next);
                  }}
                >
                  <Icon name="close" />
                </button>
              </div>
            ))}
            <button
              type="button"
              className="button button-small"
              onClick={() => setHeaders((current) => [...current, { key: nextKey(), name: '', value: '' }])}
            >
              <Icon name="add" />
              {t('settings.addHeader')}
            </button>
          </div>
          <p className="field-hint">{t('settings.headersHint')}</p>
        </div>
      )}
    </Field>
  );
}
