import type { AddSummary } from '../../../shared/ipc/job-view';

/** Something to tell the user quietly; translated when shown, so a language switch applies. */
export type NoticeInput =
  { readonly kind: 'added'; readonly summary: AddSummary } | { readonly kind: 'error'; readonly message: string };
export type Notice = NoticeInput & { readonly id: number };
