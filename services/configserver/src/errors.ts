import { isConfigError } from '@goblog/config';
import { isMessagingError } from '@goblog/messaging';
import { createError } from '@goblog/runtime';
import { isDestinationError } from './domain/destination-rule.js';

/**
 * The configserver's error catalogue: every error it answers with `{"error": message}`, with its code and
 * HTTP status, in one place (the runtime's `errorReply` maps them). Spring's encryption answers, whose bodies
 * carry more than `error`, stay with their routes.
 */
export const InvalidJsonError = createError('INVALID_JSON', 400, () => 'request body is not valid JSON');
export const BodyTooDeepError = createError('BODY_TOO_DEEP', 400, () => 'request body is nested too deeply');
export const UnsafePathError = createError(
  'UNSAFE_PATH',
  400,
  () => 'path names must be plain names: no "..", "/", "\\" or encoded separators',
);
export const NoConfigPathError = createError(
  'NO_CONFIG_PATH',
  404,
  () => 'ask for /{application}/{profile}[/{label}]',
);
export const NoRouteError = createError(
  'NO_ROUTE',
  404,
  (path: string) => `no route for GET ${path.slice(0, 200)}`,
);
export const NothingChangedError = createError(
  'NOTHING_CHANGED',
  400,
  () => 'say what changed: path=<application or file> (form or JSON), or a git push webhook body',
);
export const NoTextError = createError('NO_TEXT', 400, () => 'send the text to encrypt as the request body');
/** The repository refused a name (`..`, separators) or a label it does not have, or failed to read. */
export const UnsafeNameError = createError('UNSAFE_NAME', 400, (message: string) => message);
export const LabelNotFoundError = createError('LABEL_NOT_FOUND', 404, (message: string) => message);
export const RepositoryError = createError('REPOSITORY_FAILED', 500, (message: string) => message);
/** A bus destination that is not a plausible `app[:instance]` pattern. */
export const InvalidDestinationError = createError('INVALID_DESTINATION', 400, (message: string) => message);
/** The broker did not take a refresh event (not connected, refused, not confirmed). */
export const BusUnavailableError = createError(
  'BUS_UNAVAILABLE',
  503,
  (code: string) => `the message broker did not take the event: ${code}`,
);

/** The catalogue's error for an error of the configuration repository, the bus rules or the broker. */
export function toHttpError(err: unknown): unknown {
  if (isConfigError(err, 'UNSAFE_NAME')) return new UnsafeNameError(err.message);
  if (isConfigError(err, 'LABEL_NOT_FOUND')) return new LabelNotFoundError(err.message);
  if (isConfigError(err)) return new RepositoryError(err.message);
  if (isDestinationError(err)) return new InvalidDestinationError(err.message);
  if (isMessagingError(err)) return new BusUnavailableError(err.code);
  return err;
}
