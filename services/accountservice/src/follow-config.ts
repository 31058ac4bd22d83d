import type { LiveConfig } from '@goblog/config';
import type { PinoLogger } from '@goblog/runtime';
import type { AccountserviceConfig } from './config.js';
import type { VipPolicy } from './domain/vip-policy.js';

/**
 * Applies refreshed VIP accounts to the running service without a restart (the log level follows in the
 * runtime, for every service). Returns the unsubscribe function.
 */
export function followConfig(
  live: LiveConfig<AccountserviceConfig>,
  targets: { readonly vip: VipPolicy; readonly logger: PinoLogger },
): () => void {
  return live.onChange((next, _previous, changedKeys) => {
    if (!changedKeys.includes('vip_account_ids')) return;
    targets.vip.update(next.vip_account_ids);
    targets.logger.info({ vipAccountIds: next.vip_account_ids }, 'VIP accounts reloaded');
  });
}
