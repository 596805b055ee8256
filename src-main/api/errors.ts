/** Stable error codes that cross every transport as `{ code, message }`. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_METHOD'
  | 'UNKNOWN_TOPIC'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'UNAVAILABLE'
  /** A per-connection limit was reached (e.g. subscriptions). */
  | 'LIMIT_EXCEEDED'
  | 'INTERNAL';

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
}

export class ApiException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiException';
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message };
  }
}

const CODES: readonly ErrorCode[] = [
  'INVALID_ARGUMENT',
  'UNKNOWN_METHOD',
  'UNKNOWN_TOPIC',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'UNAVAILABLE',
  'LIMIT_EXCEEDED',
  'INTERNAL',
];

/** Flattens anything thrown into a body that is safe to send to the other side. */
export function toErrorBody(error: unknown): ApiErrorBody {
  if (error instanceof ApiException) return error.toBody();
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** Rebuilds an exception from a body received over a transport. */
export function fromErrorBody(body: unknown): ApiException {
  if (typeof body === 'object' && body !== null) {
    const { code, message } = body as Record<string, unknown>;
    if (typeof code === 'string' && (CODES as readonly string[]).includes(code) && typeof message === 'string') {
      return new ApiException(code as ErrorCode, message);
    }
  }
  return new ApiException('INTERNAL', 'malformed error from the other side');
}
