import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { MultipartLimits } from '../receiver-config';

export function isMultipartFormData(contentType: string | undefined): boolean {
  return typeof contentType === 'string' && /^\s*multipart\/form-data\s*(?:;|$)/i.test(contentType);
}

/** RFC 2046 §5.1.1: `boundary := 0*69<bchars> bcharsnospace`, i.e. 1 to 70 characters. */
export function hasUsableBoundary(contentType: string): boolean {
  const match = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2] ?? '';
  return boundary.length >= 1 && boundary.length <= 70;
}

/** busboy with our limits; throws on a content type it cannot parse ("Multipart: Boundary not found", ...). */
export function createParser(req: IncomingMessage, limits: MultipartLimits): busboy.Busboy {
  return busboy({
    headers: req.headers,
    preservePath: false,
    // Browsers put raw UTF-8 in `filename="…"`; busboy 1.x would decode it as latin1 by default.
    defParamCharset: 'utf8',
    limits: {
      // busboy flags a file (or field) as over the limit once it REACHES the limit, so a part of
      // exactly the limit would be refused; +1 makes the limit inclusive. We enforce it exactly.
      fileSize: limits.maxFileSize + 1,
      fieldSize: limits.maxFieldSize + 1,
      files: limits.maxFiles,
      fields: limits.maxFields,
      // busboy emits 'partsLimit' when the Nth part ends, even with no part after it; +1 means
      // "a part beyond the limit exists". The handler counts parts itself and refuses it as it starts.
      parts: limits.maxParts + 1,
      // busboy 1.6's multipart parser ignores this (it caps part headers at 2000 pairs / 16 KiB
      // and answers bigger ones with "Malformed part header"); passed for parsers that honour it.
      headerPairs: limits.maxHeaderPairs,
    },
  });
}
