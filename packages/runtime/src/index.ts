// The public face of @goblog/runtime: what every service stands on.
export { createLogger, LOG_LEVELS } from './logger.js';
export type { LoggerOptions, LogLevel, PinoLogger } from './logger.js';
export { createMetrics } from './metrics.js';
export type { ServiceMetrics } from './metrics.js';
export { Health } from './health.js';
export type { HealthCheck, HealthReport } from './health.js';
export { createHttpServer, allowOnly, errorReply, routeObserver } from './http.js';
export type { FastPath, HttpServerDeps } from './http.js';
export { instanceAddress } from './address.js';
export { handleShutdown, exitOnStartupError, SHUTDOWN_TIMEOUT_MS } from './shutdown.js';
export type { ShutdownStep } from './shutdown.js';
export { BROKER_HINT } from './broker-hint.js';
export { childTraceparent, traceIdOf } from './trace.js';
export { loopPressure } from './load.js';
export type { LoopPressureOptions } from './load.js';
