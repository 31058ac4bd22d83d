import { telemetrySettings } from './settings.js';

/** The running SDK of a process that traces. */
export interface Telemetry {
  /**
   * Exports what is buffered and stops tracing (each export bounded by the exporter's timeout; a caller that
   * must not wait that long bounds the wait itself). Safe to call twice.
   */
  shutdown(): Promise<void>;
}

/** What the resource says about this process, unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES override it. */
export interface TracedService {
  readonly name: string;
  /** `service.instance.id`, e.g. `accountservice:6767@host`. */
  readonly instanceId: string;
}

/**
 * Starts tracing when the OTEL_* variables ask for it (see telemetrySettings), and resolves undefined
 * otherwise, having loaded nothing of the SDK: its modules are imported here, on demand, and only then.
 * Throws TelemetrySettingsError for a bad variable (a startup error: the process says so and exits).
 */
export async function startTelemetry(
  service: TracedService,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Telemetry | undefined> {
  const settings = telemetrySettings(env);
  if (settings === undefined) return undefined;
  const { startSdk } = await import('./sdk.js');
  return startSdk(settings, service);
}
