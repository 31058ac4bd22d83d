import { createError } from '@goblog/runtime';

/**
 * The landscape's error catalogue: every error it answers, with its code and HTTP status, in one place (the
 * runtime's `errorReply` maps them). Request validation failures become 400 there.
 */
export const NotADeadLetterQueueError = createError(
  'NOT_A_DEAD_LETTER_QUEUE',
  404,
  (queue: string, known: readonly string[]) =>
    `${queue.slice(0, 200)} is not a dead-letter queue this landscape watches (it watches ${known.join(', ')})`,
);
/** The landscape has no broker connection right now. */
export const BrokerUnavailableError = createError(
  'BROKER_UNAVAILABLE',
  503,
  (reason: string) => `the broker cannot be reached: ${reason}`,
);
/** The first look at the landscape is not done yet (just after startup). */
export const NotReadyError = createError(
  'NOT_READY',
  503,
  () => 'the first look at the landscape is not done yet',
);
/** The page's assets were not built. */
export const PageNotBuiltError = createError(
  'PAGE_NOT_BUILT',
  503,
  () => 'the landscape page is not built: run `npm run build` (or `npm start`, which builds it)',
);
