/** Base error: a stable SCREAMING_SNAKE `code` for code, a message for people, an HTTP status where one applies. */
export class FerryError extends Error {
  readonly code: string;
  readonly status: number | undefined;

  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.status = options.status;
  }
}

export function isFerryError(error: unknown): error is FerryError {
  return error instanceof FerryError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `code` of a Node system error (ENOENT, EEXIST, ...), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
