// The public face of @goblog/contracts: what one service may rely on about another, in one place.
export { ACCOUNT_ID_PATTERN } from './account-id.js';
export {
  VIP_NOTIFICATION,
  VIP_NOTIFICATION_MAX_BYTES,
  VIP_QUEUE,
  VipNotificationSchema,
  vipNotificationType,
} from './vip-notification.js';
export type { VipNotificationBody } from './vip-notification.js';
export {
  ANNOUNCE_INTERVAL_MS,
  INSTANCE_ANNOUNCEMENT,
  InstanceAnnouncementSchema,
  announcementExchange,
  instanceAnnouncementType,
} from './instance-announcement.js';
export type { InstanceAnnouncement } from './instance-announcement.js';
