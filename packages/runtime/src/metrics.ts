import { TalliedHistogram } from '@goblog/messaging';
import { Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Observed once per request: bound children do no label work per observation (see TalliedHistogram). */
  readonly httpDuration: TalliedHistogram<'method' | 'route' | 'status'>;
}

/** A registry per service with process metrics and the HTTP request histogram (`_count` gives request counts). */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new TalliedHistogram<'method' | 'route' | 'status'>({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  return { registry, httpDuration };
}
