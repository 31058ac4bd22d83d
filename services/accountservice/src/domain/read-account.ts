import { randomUUID } from 'node:crypto';
import type { Account, AccountRepository } from './account.js';
import type { NotificationOutbox } from './notification.js';
import type { VipPolicy } from './vip-policy.js';
import { AccountNotFoundError } from '../errors.js';
import { childTraceparent } from '@goblog/runtime';

export interface ReadAccountDeps {
  readonly accounts: AccountRepository;
  readonly vip: VipPolicy;
  readonly outbox: NotificationOutbox;
  readonly now?: () => Date;
}

/**
 * The use case behind GET /accounts/{id}: look the account up and, for a VIP account, record one VIP
 * notification in the outbox. A non-VIP read from the embedded store is synchronous (no promise, no
 * allocation beyond the lookup); a VIP read resolves only once its notification is durable, so a 200 is
 * never sent for a notification that could still be lost. Throws (or rejects with) AccountNotFoundError for
 * an unknown id.
 */
export function createReadAccount(
  deps: ReadAccountDeps,
): (id: string, traceparent?: string) => Account | Promise<Account> {
  const now = deps.now ?? (() => new Date());
  const serve = (id: string, account: Account | undefined, traceparent: string | undefined) => {
    if (account === undefined) throw new AccountNotFoundError(id);
    if (!deps.vip.isVip(id)) return account;
    const readAt = now();
    return deps.outbox
      .record({
        messageId: randomUUID(),
        body: { accountId: account.id, readAt: readAt.toISOString() },
        recordedAt: readAt.getTime(),
        traceparent: childTraceparent(traceparent),
      })
      .then(() => account);
  };
  return (id, traceparent) => {
    const found = deps.accounts.get(id);
    if (found instanceof Promise) return found.then((account) => serve(id, account, traceparent));
    return serve(id, found, traceparent);
  };
}
