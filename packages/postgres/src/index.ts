// The public face of @goblog/postgres: PostgreSQL as the services that share one database use it.
export { Database } from './database.js';
export type { DatabaseOptions, HeldClient, Queryable } from './database.js';
export type { AvailabilityReport } from './availability.js';
export { DatabaseError, isDatabaseError, isUnavailable, toDatabaseError } from './errors.js';
export type { DatabaseErrorCode } from './errors.js';
export { migrate } from './migrate.js';
export { openMigrated } from './open.js';
export type { Migrations } from './open.js';
export { serviceErrors } from './service-errors.js';
export type { ServiceErrorMapping, ServiceErrorsOf } from './service-errors.js';
export type { MigrateOptions } from './migrate.js';
export { describeDatabaseUrl, parseDatabaseUrl } from './url.js';
export type { DatabaseUrl } from './url.js';
