import { isConfigError } from '@goblog/config';
import { isMessagingError } from '@goblog/messaging';
import { isDestinationError } from './domain/destination-rule.js';

/** An error that knows its HTTP answer; the runtime's error handler sends `{ "error": message }`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The configserver's error catalogue: every domain error mapped to HTTP in one place. */
export function toHttpError(err: unknown): unknown {
  if (isConfigError(err)) {
    switch (err.code) {
      case 'UNSAFE_NAME':
        return new HttpError(400, err.message);
      case 'LABEL_NOT_FOUND':
        return new HttpError(404, err.message);
      default:
        return new HttpError(500, err.message);
    }
  }
  if (isDestinationError(err)) return new HttpError(400, err.message);
  if (isMessagingError(err))
    return new HttpError(503, `the message broker did not take the event: ${err.code}`);
  return err;
}

export const UNSAFE_PATH = new HttpError(
  400,
  'path names must be plain names: no "..", "/", "\\" or encoded separators',
);
