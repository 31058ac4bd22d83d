// The accountservice's public face, for tests and the benchmark.
export { buildApp } from './app.js';
export type { AppDeps } from './app.js';
export { accountservice } from './compose.js';
export type { AccountserviceOptions, AccountserviceParts } from './compose.js';
export { AccountserviceConfigSchema, DEFAULTS, RESTART_KEYS, SERVICE_NAME } from './config.js';
export type { AccountserviceConfig } from './config.js';
export {
  AccountNotFoundError,
  DatabaseUnavailableError,
  StoreClosedError,
  StoreOpenFailedError,
  isAccountError,
} from './errors.js';
export type { AccountErrorCode, AccountServiceError } from './errors.js';
// The contract it publishes, for its tests: the notification type on vip_queue and its id rule.
export { ACCOUNT_ID_PATTERN, VIP_QUEUE, VipNotificationSchema, vipNotificationType } from '@goblog/contracts';
export { VipNotification } from './vip-notification.js';
export { seedAccounts, FIRST_ACCOUNT_ID, SEED_ACCOUNT_COUNT } from './domain/account.js';
export type { Account, AccountRepository } from './domain/account.js';
export type { NotificationOutbox, PendingNotification, VipNotificationBody } from './domain/notification.js';
export { VipPolicy } from './domain/vip-policy.js';
export { createReadAccount } from './domain/read-account.js';
export { followConfig } from './follow-config.js';
export { AccountStore } from './store/account-store.js';
export type { OpenStoreOptions } from './store/account-store.js';
export { openAccountStorage } from './store/storage.js';
export type { AccountStorage, OpenStorageOptions } from './store/storage.js';
export { PgAccountStore } from './store/pg/account-database.js';
export type { OpenPgStoreOptions } from './store/pg/account-database.js';
export { PgOutbox } from './store/pg/outbox.js';
export type { PgOutboxOptions } from './store/pg/outbox.js';
export type { OutboxEntry, OutboxReader } from './store/outbox-store.js';
export { OutboxRelay } from './outbox/relay.js';
export type { OutboxRelayOptions, ConnectionWatch, RelayHealth, RelayRound } from './outbox/relay.js';
export { OutboxMetrics, outboxStatus } from './outbox/outbox-metrics.js';
export type { OutboxStatus } from './outbox/outbox-metrics.js';
