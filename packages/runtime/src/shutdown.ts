import type { PinoLogger } from './logger.js';

export interface ShutdownStep {
  readonly name: string;
  readonly run: () => Promise<void>;
}

/**
 * The bound `handleShutdown` puts on a shutdown by default. A service bounds its own steps (close timeouts,
 * drains) so that together they fit inside it: past it the process exits 1, whatever is still running.
 */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * After the steps timed out, how long the exit waits for the log destination to write the timeout line.
 * Bounded because a reader that stopped reading (a full pipe) must not keep the process alive.
 */
const TIMEOUT_FLUSH_GRACE_MS = 1000;

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * On SIGTERM or SIGINT, runs the steps in order (stop taking work first, close stores last) and exits 0.
 * A step that fails is logged and the next one still runs. The process is gone `timeoutMs` after the signal
 * (exit 1 if the steps are not done by then, rather than hang). Guarantees:
 * - a repeated SIGTERM or SIGINT while shutting down is ignored (logged once): it never cuts the drain
 *   short; an operator who wants the process gone at once sends SIGKILL;
 * - the exit waits (bounded) until the log lines written so far, 'stopped' included, are out.
 */
export function handleShutdown(
  logger: PinoLogger,
  steps: readonly ShutdownStep[],
  timeoutMs = SHUTDOWN_TIMEOUT_MS,
): void {
  let stopping = false;
  let repeatLogged = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      if (!repeatLogged) {
        repeatLogged = true;
        logger.warn({ signal }, `already shutting down; ${signal} ignored (SIGKILL stops at once)`);
      }
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    runBounded(logger, steps, timeoutMs);
  };
  // Kept installed for the whole shutdown (not `once`): with no listener left, a repeated signal would take
  // its default action and end the process in the middle of the drain.
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}

/**
 * Runs the steps, then exits 0 once the logs are written. `timeoutMs` bounds both: past it the process exits
 * 1 if the steps are still running (after a short grace for the timeout line), or with 0 if only the log
 * flush is (lines a reader does not take in time are given up).
 */
function runBounded(logger: PinoLogger, steps: readonly ShutdownStep[], timeoutMs: number): void {
  let code: number | undefined;
  const deadline = setTimeout(() => {
    if (code !== undefined) process.exit(code);
    code = 1;
    logger.error({ timeoutMs }, 'shutdown timed out; exiting');
    exitAfterFlush(logger, code, TIMEOUT_FLUSH_GRACE_MS);
  }, timeoutMs);
  deadline.unref();
  void runSteps(logger, steps).then(() => {
    if (code !== undefined) return;
    code = 0;
    logger.info('stopped');
    exitAfterFlush(logger, code);
  });
}

async function runSteps(logger: PinoLogger, steps: readonly ShutdownStep[]): Promise<void> {
  for (const step of steps) {
    try {
      await step.run();
    } catch (err) {
      logger.error({ err, step: step.name }, 'shutdown step failed');
    }
  }
}

/**
 * Exits with `code` once the logger's destination has written everything it was given (pino's flush
 * callback), or after `boundMs` when given. `process.exit` right after a write loses the lines an
 * asynchronous destination still holds.
 */
function exitAfterFlush(logger: PinoLogger, code: number, boundMs?: number): void {
  // Should the event loop empty first, the process still ends with this code.
  process.exitCode = code;
  const exit = (): void => {
    process.exit(code);
  };
  if (boundMs !== undefined) setTimeout(exit, boundMs).unref();
  // A flush error (a destination already closed) leaves nothing more to wait for: exit all the same.
  try {
    logger.flush(exit);
  } catch {
    exit();
  }
}

/** Startup failed: one clear line on stderr (no stack, no secret), exit non-zero. */
export function exitOnStartupError(service: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${service}: ${message}\n`);
  process.exit(1);
}
