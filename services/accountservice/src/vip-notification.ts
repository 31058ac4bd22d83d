import { vipNotificationType } from '@goblog/contracts';

/** The VipNotification type on the contract's queue, as the service publishes it. */
export const VipNotification = vipNotificationType();
