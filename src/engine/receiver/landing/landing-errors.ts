import path from 'node:path';
import { FerryError } from '../../errors';

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

export function outside(candidate: string, cause?: unknown): FerryError {
  return new FerryError('PATH_OUTSIDE_RECEIVE_FOLDER', `Refusing to write outside the receive folder (${candidate})`, {
    status: 403,
    cause,
  });
}

export function notADirectory(segments: string[], cause?: unknown): FerryError {
  return new FerryError('PATH_NOT_A_DIRECTORY', `A file is in the way of folder ${segments.join('/')}`, {
    status: 409,
    cause,
  });
}
