import type { PinoLogger } from './logger.js';

export interface ShutdownStep {
  readonly name: string;
  readonly run: () => Promise<void>;
}

/**
 * On SIGTERM or SIGINT, runs the steps in order (stop taking work first, close stores last) and exits 0.
 * A step that fails is logged and the next one still runs; the whole sequence is bounded by `timeoutMs`,
 * after which the process exits 1 rather than hang. A second signal is ignored while shutting down.
 */
export function handleShutdown(logger: PinoLogger, steps: readonly ShutdownStep[], timeoutMs = 10_000): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting');
      logger.flush();
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    void runSteps(logger, steps).then(() => {
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
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

/** Startup failed: one clear line on stderr (no stack, no secret), exit non-zero. */
export function exitOnStartupError(service: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${service}: ${message}\n`);
  process.exit(1);
}
