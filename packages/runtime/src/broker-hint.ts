/** What a newcomer reads when the broker cannot be reached at startup. */
export const BROKER_HINT =
  "start RabbitMQ with 'rabbitmq-server -detached' (Debian: apt-get install rabbitmq-server) " +
  "or 'docker run -d --name rabbitmq -p 5672:5672 -p 15672:15672 rabbitmq:4-management'";
