// The public face of @goblog/telemetry. Nothing here imports the SDK: startTelemetry loads it on demand.
export { startTelemetry } from './start.js';
export type { Telemetry, TracedService } from './start.js';
export { telemetrySettings, TelemetrySettingsError } from './settings.js';
export type { TelemetrySettings } from './settings.js';
export { tracingOn, scopeTracer, reportDiagnosticsTo } from './switch.js';
export { activeSpan, failSpan, inSpan, remoteParent, traceFields, traceparentOfSpan } from './spans.js';
export { formatTraceparent, parseTraceparent } from './traceparent.js';
export type { Traceparent } from './traceparent.js';
export { Goblog, Http, Messaging, RABBITMQ } from './attributes.js';
