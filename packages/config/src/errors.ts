/**
 * Stable error codes of @goblog/config. Callers branch on `err.code`, never on message text.
 */
export type ConfigErrorCode =
  | 'INVALID_CONFIG' // the merged configuration fails the service's schema
  | 'SERVER_UNREACHABLE' // the configuration server did not answer within the startup window
  | 'SERVER_REJECTED' // the configuration server answered with an error (401, 404, malformed body)
  | 'UNSAFE_NAME' // an application, profile or label name could leave the repository folder
  | 'LABEL_NOT_FOUND' // the label names no branch, tag or folder of the repository
  | 'REPO_UNREADABLE'; // a file of the repository could not be read or parsed

/**
 * One line naming every problem at once. The message never contains a secret: amqp URLs are masked and
 * values of keys named like password/secret/key are never echoed.
 */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  /** Every problem found, one per bad key; just the message when there is one. */
  readonly problems: readonly string[];

  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    problems: readonly string[] = [message],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.problems = problems;
  }
}

export function isConfigError(err: unknown, code?: ConfigErrorCode): err is ConfigError {
  return err instanceof ConfigError && (code === undefined || err.code === code);
}
