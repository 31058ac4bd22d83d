// The public face of @goblog/config. Internals stay internal.
export { BaseConfigSchema, DatabaseConfigSchema, LOG_LEVELS, logLevelSchema } from './schema.js';
export type { BaseConfig, LogLevel } from './schema.js';
export { ConfigError, isConfigError } from './errors.js';
export type { ConfigErrorCode } from './errors.js';
export { configSourceFromEnv } from './source.js';
export type { ConfigSource } from './source.js';
export { loadConfig } from './load-config.js';
export type { LoadConfigOptions } from './load-config.js';
export { createLiveConfig } from './live-config.js';
export type { LiveConfig, ChangeListener } from './live-config.js';
export { resolveConfig } from './resolve.js';
export type { ResolveOptions } from './resolve.js';
export { subscribeToRefresh } from './refresh-subscriber.js';
export type { RefreshSubscriptionOptions } from './refresh-subscriber.js';
export { matchesDestination, destinationFor } from './destination.js';
export { busEventType, refreshEvent, REFRESH_EVENT, BusEventSchema } from './bus-event.js';
export type { BusEvent, BusEventType } from './bus-event.js';
export { repoRoot } from './repo-root.js';
export { displayValue, isSecretKey } from './problems.js';
// The repository reader, Spring's formats and cipher: shared with the configserver.
export { createConfigRepository } from './repo/repository.js';
export type { ConfigRepository } from './repo/repository.js';
export { isSafeSegment, parseLabel, parseProfiles, assertSafeName } from './repo/safe-name.js';
export { mergePropertySources } from './environment.js';
export type { Environment, PropertySource } from './environment.js';
export { flatten, unflatten } from './flatten.js';
export type { FlatProperties } from './flatten.js';
export { createTextEncryptor, decryptProperties, SPRING_DEFAULT_SALT, CIPHER_PREFIX } from './cipher.js';
export type { TextEncryptor } from './cipher.js';
// The services' own HTTP requests (configuration server, probes, RabbitMQ management API): node:http, not fetch.
export { httpRequest, HttpResponse, requestErrorCode, ResponseTooLargeError } from './http-client.js';
export type { HttpRequestOptions } from './http-client.js';
