/**
 * When and how a service traces, from the standard OpenTelemetry environment variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). Off unless asked
 * for: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or an explicit
 * OTEL_TRACES_EXPORTER; OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none turn it off whatever else is set.
 */
export interface TelemetrySettings {
  readonly exporters: readonly TraceExporterName[];
  /** OTLP's encoding over HTTP; gRPC is not offered (port 4318 of a collector takes both of these). */
  readonly protocol: OtlpProtocol;
}

export type TraceExporterName = 'otlp' | 'console';
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** A bad OTEL_* value: the message names the variable and what it accepts, never the value of a secret. */
export class TelemetrySettingsError extends Error {
  override readonly name = 'TelemetrySettingsError';
  readonly code = 'INVALID_TELEMETRY_SETTINGS';
}

type Env = Readonly<Record<string, string | undefined>>;

const EXPORTERS = ['otlp', 'console', 'none'] as const;
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const ENDPOINTS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];

/** The settings, or undefined when tracing is off. Throws TelemetrySettingsError naming every bad variable. */
export function telemetrySettings(env: Env = process.env): TelemetrySettings | undefined {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const disabled = value('OTEL_SDK_DISABLED');
  if (disabled !== undefined && !['true', 'false'].includes(disabled.toLowerCase())) {
    problems.push('OTEL_SDK_DISABLED must be true or false');
  }
  for (const name of ENDPOINTS) {
    const endpoint = value(name);
    if (endpoint !== undefined && !isHttpUrl(endpoint))
      problems.push(`${name} must be an http:// or https:// URL`);
  }
  const listed = value('OTEL_TRACES_EXPORTER')
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const name of listed ?? []) {
    if (!(EXPORTERS as readonly string[]).includes(name)) {
      problems.push(`OTEL_TRACES_EXPORTER: ${bounded(name)} is not offered (use ${EXPORTERS.join(', ')})`);
    }
  }
  const protocol = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? value('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined && !(PROTOCOLS as readonly string[]).includes(protocol)) {
    problems.push(
      `OTEL_EXPORTER_OTLP_PROTOCOL: ${bounded(protocol)} is not offered (use ${PROTOCOLS.join(' or ')}, a collector's port 4318)`,
    );
  }
  const sampler = value('OTEL_TRACES_SAMPLER');
  if (sampler !== undefined && !SAMPLERS.includes(sampler)) {
    problems.push(`OTEL_TRACES_SAMPLER: ${bounded(sampler)} is not offered (use ${SAMPLERS.join(', ')})`);
  }
  const ratio = value('OTEL_TRACES_SAMPLER_ARG');
  if (ratio !== undefined && sampler?.endsWith('traceidratio') === true) {
    const n = Number(ratio);
    if (!Number.isFinite(n) || n < 0 || n > 1)
      problems.push('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1');
  }
  if (problems.length > 0)
    throw new TelemetrySettingsError(`invalid tracing settings: ${problems.join('; ')}`);

  if (disabled?.toLowerCase() === 'true') return undefined;
  const exporters = (listed ?? (ENDPOINTS.some((n) => value(n) !== undefined) ? ['otlp'] : [])).filter(
    (e): e is TraceExporterName => e === 'otlp' || e === 'console',
  );
  if (exporters.length === 0) return undefined;
  return {
    exporters: [...new Set(exporters)],
    protocol: (protocol as OtlpProtocol | undefined) ?? 'http/protobuf',
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Values are outside input: at most 40 characters of one in a message. */
function bounded(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
