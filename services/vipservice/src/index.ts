// The vipservice's public face, for tests and the benchmark.
export { buildApp } from './app.js';
export type { AppDeps } from './app.js';
export { VipserviceConfigSchema, DEFAULTS, RESTART_KEYS, SERVICE_NAME } from './config.js';
export type { VipserviceConfig } from './config.js';
export { vipservice } from './compose.js';
export type { VipserviceOptions, VipserviceStore } from './compose.js';
export {
  DatabaseUnavailableError,
  OfferNotFoundError,
  StoreClosedError,
  StoreOpenFailedError,
  isVipError,
} from './errors.js';
export type { VipErrorCode, VipServiceError } from './errors.js';
export { VipNotificationSchema, vipNotificationType, readAtOf } from './messages.js';
export type { VipNotificationBody } from './messages.js';
export { ACCOUNT_ID_PATTERN, VIP_QUEUE } from '@goblog/contracts';
export { createNotificationHandler } from './notification-handler.js';
export type { NotificationHandlerDeps } from './notification-handler.js';
export { VipMetrics } from './metrics.js';
export { applyNotification } from './domain/offer.js';
export type { Offer, Notification, OfferContext, OfferRepository, RecordOutcome } from './domain/offer.js';
export { parseReadAt, compareReadAt } from './domain/read-at.js';
export type { ReadAt } from './domain/read-at.js';
export { dedupKey } from './domain/dedup-key.js';
export { recordNotification } from './domain/record-notification.js';
export { OfferStore } from './store/offer-store.js';
export type { OpenOfferStoreOptions } from './store/offer-store.js';
export { DedupPruner } from './store/dedup-pruner.js';
export { openOfferStorage } from './store/storage.js';
export type { OfferStorage, OpenOfferStorageOptions } from './store/storage.js';
export { PgOfferStore } from './store/pg/offer-database.js';
export type { OpenPgOfferStoreOptions } from './store/pg/offer-database.js';
export type { DedupPrunerOptions } from './store/dedup-pruner.js';
