// The public face of @goblog/runtime: what every service stands on.
export { createLogger } from './logger.js';
export type { LoggerOptions, PinoLogger } from './logger.js';
export { createMetrics } from './metrics.js';
export type { ServiceMetrics } from './metrics.js';
export { Health } from './health.js';
export type { HealthCheck, HealthReport } from './health.js';
export { createHttpServer, allowOnly, errorReply, routeObserver } from './http.js';
export type { FastPath, HttpServerDeps } from './http.js';
export { instanceAddress } from './address.js';
export { requireBasicAuth } from './basic-auth.js';
export type { BasicAuthOptions, Credentials } from './basic-auth.js';
export { handleShutdown, exitOnStartupError, SHUTDOWN_TIMEOUT_MS } from './shutdown.js';
export type { ShutdownStep } from './shutdown.js';
export { BROKER_HINT, brokerStartupError } from './broker-hint.js';
export { childTraceparent, traceIdOf } from './trace.js';
export { loopPressure, readLoad } from './event-loop-pressure.js';
export { saturation } from './saturation.js';
export type { SaturationOptions } from './saturation.js';
export type { LoadReading, LoopPressureOptions } from './event-loop-pressure.js';
export { within } from './within.js';
export { createError, isServiceError, ServiceError } from './service-error.js';
export type { ServiceErrorClass } from './service-error.js';
export { assembleService } from './assemble-service.js';
export type { AssembleInputs, AssembledService } from './assemble-service.js';
export { startService } from './start-service.js';
export type {
  ServiceConfig,
  ServiceContext,
  ServiceDefinition,
  ServiceParts,
  WorkConsumer,
} from './service-definition.js';
