// The accountservice's public face, for tests and the benchmark.
export { buildApp } from './app.js';
export type { AppDeps } from './app.js';
export {
  AccountserviceConfigSchema,
  DEFAULTS,
  RESTART_KEYS,
  SERVICE_NAME,
  ACCOUNT_ID_PATTERN,
} from './config.js';
export type { AccountserviceConfig } from './config.js';
export { AccountServiceError, AccountNotFoundError, StoreClosedError } from './errors.js';
export type { AccountErrorCode } from './errors.js';
export { VipNotification, VipNotificationSchema, vipNotificationType, VIP_QUEUE } from './messages.js';
export { seedAccounts, FIRST_ACCOUNT_ID, SEED_ACCOUNT_COUNT } from './domain/account.js';
export type { Account, AccountRepository } from './domain/account.js';
export type { NotificationOutbox, PendingNotification, VipNotificationBody } from './domain/notification.js';
export { VipPolicy } from './domain/vip-policy.js';
export { createReadAccount } from './domain/read-account.js';
export { followConfig } from './domain/follow-config.js';
export { AccountStore } from './store/lmdb-env.js';
export type { OpenStoreOptions } from './store/lmdb-env.js';
export type { OutboxEntry, OutboxReader } from './store/outbox-store.js';
export { OutboxRelay } from './outbox/relay.js';
export type { OutboxRelayOptions, ConnectionWatch, RelayHealth, RelayRound } from './outbox/relay.js';
export { OutboxMetrics, outboxStatus } from './outbox/outbox-metrics.js';
export type { OutboxStatus } from './outbox/outbox-metrics.js';
