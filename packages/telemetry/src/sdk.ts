// Loaded only by startTelemetry, when tracing is on: everything of the SDK is imported from here alone.
import { hostname } from 'node:os';
import { OTLPTraceExporter as OtlpHttpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobuf } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TelemetrySettings } from './settings.js';
import type { Telemetry, TracedService } from './start.js';
import { setTracing } from './switch.js';

/**
 * Registers a NodeTracerProvider (AsyncLocalStorage context, W3C trace-context propagation) with a batch
 * processor per exporter. The exporters read their own OTEL_EXPORTER_OTLP_* variables (endpoint, headers,
 * timeout, compression) and the provider reads OTEL_TRACES_SAMPLER/_ARG, OTEL_BSP_* and the span limits.
 */
export function startSdk(settings: TelemetrySettings, service: TracedService): Telemetry {
  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: service.name,
        'service.namespace': 'goblog',
        'service.instance.id': `${service.instanceId}@${hostname()}`,
        'process.pid': process.pid,
      }),
    )
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over ours.
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: settings.exporters.map((name) => new BatchSpanProcessor(exporter(name, settings))),
  });
  provider.register();
  setTracing(true);
  let stopping: Promise<void> | undefined;
  return {
    shutdown() {
      // The caller bounds the wait (a collector that does not answer must not hold the exit up): runtime's
      // shutdown step waits for it with `within`. Tracing is off once the provider has shut down.
      stopping ??= provider.shutdown().finally(() => {
        setTracing(false);
      });
      return stopping;
    },
  };
}

function exporter(name: TelemetrySettings['exporters'][number], settings: TelemetrySettings): SpanExporter {
  if (name === 'console') return new ConsoleSpanExporter();
  return settings.protocol === 'http/json' ? new OtlpHttpJson() : new OtlpProtobuf();
}
