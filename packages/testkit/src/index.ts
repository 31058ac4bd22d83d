// The public face of @goblog/testkit: what the tests and the bench share, written once. Only tests and the
// bench import it; no service depends on it.

// Processes: a service (or any node script) as a real process, and waiting on what it does.
export { repoRoot } from './paths.js';
export { spawnNode } from './process.js';
export type { LineMatch, NodeProcess } from './process.js';
export { serviceArgs, startService } from './services.js';
export { gotMessageAccountId, gotMessageBody } from './got-message.js';
export type { RunningService, ServiceName, StartOptions } from './services.js';
export { freePort, waitUntil, withTimeout } from './wait.js';

// In-process fixtures.
export { captureJsonLines, captureLogger } from './logger.js';
export type { CapturingLogger, LogLine } from './logger.js';
export { tempConfigRepo, tempDir } from './temp.js';
export type { TempDir, TempRepo } from './temp.js';

// The broker from outside.
export {
  BROKER_URL,
  BROKER_VHOST,
  deleteBus,
  deleteExchange,
  deleteQueues,
  plainChannel,
  queueDepth,
  rabbitmqctl,
  refusePublishesTo,
  uniqueName,
  useBroker,
} from './broker.js';
export { startBrokerInstance, usePrivateBroker } from './broker-instance.js';
export type { BrokerInstance } from './broker-instance.js';
export { closeConnectionsOf, createBrokerUser, deleteBrokerUser } from './broker-user.js';
export type { BrokerUser } from './broker-user.js';
export { startBrokerProxy } from './tcp-proxy.js';

// The local RabbitMQ cluster (npm run cluster).
export {
  CLUSTER_MANAGEMENT_PORTS,
  CLUSTER_PORTS,
  clusterCommand,
  clusterConnection,
  clusterManagementUrl,
  clusterNodeOf,
  clusterNodeUrl,
  clusterUrl,
  deleteClusterBus,
  deleteClusterQueues,
  useCluster,
} from './cluster.js';
export type { ClusterQueue, LocalCluster } from './cluster.js';
export type { TcpProxy } from './tcp-proxy.js';

// HTTP against a running service.
export { holdRequest } from './held-request.js';
export type { HeldRequest } from './held-request.js';
export { metricValue } from './metrics.js';

// Traces: an OTLP/HTTP receiver, as a collector takes them.
export { startOtlpReceiver } from './otlp-receiver.js';
export type { OtlpReceiver, ReceivedSpan } from './otlp-receiver.js';
export { startLoad } from './load.js';
export type { Load, LoadOptions, LoadStats } from './load.js';

// PostgreSQL: databases of a test's own on the machine's server, and throwaway servers to stop and start.
export { POSTGRES_ADMIN_URL, adminQuery, createTestDatabase, databaseUrl, queryRows } from './postgres.js';
export type { TestDatabase } from './postgres.js';
export { startPostgresInstance } from './postgres-instance.js';
export type { PostgresInstance } from './postgres-instance.js';
