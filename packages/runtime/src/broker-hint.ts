import { isMessagingError } from '@goblog/messaging';

/** What a newcomer reads when the broker cannot be reached at startup. */
export const BROKER_HINT =
  "start RabbitMQ with 'rabbitmq-server -detached' (Debian: apt-get install rabbitmq-server) " +
  "or 'docker run -d --name rabbitmq -p 5672:5672 -p 15672:15672 rabbitmq:4-management'";

/**
 * The startup error for a broker connection that failed: one line, the same for every service, that says
 * what failed and how to start a broker. Any other error is returned as it is.
 */
export function brokerStartupError(err: unknown): unknown {
  if (!isMessagingError(err, 'CONNECT_FAILED')) return err;
  return new Error(`message broker unreachable: ${err.message}; ${BROKER_HINT}`);
}
