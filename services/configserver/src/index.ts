// The configserver as a library: its app and configuration, for tests and the landscape runner.
export { buildApp } from './app.js';
export { configserver } from './compose.js';
export type { ServedRepository } from './compose.js';
export type { ConfigServerDeps } from './app.js';
export { loadServerConfig, ConfigServerConfigSchema, DEFAULTS, SERVICE_NAME } from './config.js';
export type { ConfigServerConfig } from './config.js';
export { createRefreshBus } from './domain/refresh-bus.js';
export type { RefreshBus } from './domain/refresh-bus.js';
export { destinationsForPaths, MAX_CHANGED_DESTINATIONS } from './domain/changed-services.js';
export {
  DestinationError,
  assertPlausibleDestination,
  isDestinationError,
  isPlausibleDestination,
} from './domain/destination-rule.js';
export type { DestinationErrorCode } from './domain/destination-rule.js';
export { configRouteLabel, parseConfigPath } from './domain/config-path.js';
export type { ConfigRequest, ParsedPath, DocumentFormat } from './domain/config-path.js';
export { watchRepository } from './repo-watcher.js';
export type { Credentials } from './auth.js';
