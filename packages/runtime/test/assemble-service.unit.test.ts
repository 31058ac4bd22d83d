// assembleService is the one composition root every service's main.ts and its tests call: these tests drive it
// directly, over the in-memory transport, with a service of their own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { createLiveConfig } from '@goblog/config';
import type { LogLevel } from '@goblog/config';
import { createMemoryTransport, defineMessage, MessagingError } from '@goblog/messaging';
import type { Transport } from '@goblog/messaging';
import { assembleService, createHttpServer, createLogger, createMetrics } from '@goblog/runtime';
import type { ServiceDefinition, ServiceParts } from '@goblog/runtime';

interface TestConfig {
  readonly server_port: number;
  readonly amqp_server_url: string;
  readonly config_event_bus: string;
  readonly log_level: LogLevel;
}

const CONFIG: TestConfig = {
  server_port: 0,
  amqp_server_url: 'amqp://guest:guest@127.0.0.1:1/',
  config_event_bus: 'springCloudBus',
  log_level: 'info',
};

const Job = defineMessage({
  name: 'Job',
  schema: Type.Object({ n: Type.Integer() }),
  destination: { kind: 'queue', queue: 'jobs' },
});

/** A service that records, in order, what the skeleton makes it do. */
function testService(events: string[]): ServiceDefinition<TestConfig, { open: boolean }, ServiceParts> {
  return {
    name: 'testservice',
    open(context) {
      events.push('open');
      context.health.register('store', () => ({ ok: true }));
      return { open: true };
    },
    close(opened) {
      events.push('close store');
      opened.open = false;
      return Promise.resolve();
    },
    compose(context, _opened, transport) {
      events.push('compose');
      const app = createHttpServer({
        logger: context.logger,
        metrics: context.metrics,
        health: context.health,
      });
      return {
        app,
        consumers: [
          {
            name: 'worker',
            subscribe: async () => {
              events.push('subscribe');
              return transport.subscribeToQueue(Job, () => Promise.resolve(), {
                consumerName: 'testservice',
              });
            },
          },
        ],
        stopSteps: [
          {
            name: 'own step',
            run: () => {
              events.push('own step');
              return Promise.resolve();
            },
          },
        ],
        listening: (port) => events.push(`listening ${port}`),
      };
    },
  };
}

const silent = () => createLogger({ service: 'testservice', level: 'silent', pretty: false });

void describe('assembleService', () => {
  void it('opens, connects, composes; attaches consumers only once HTTP listens, and is UP only then', async () => {
    const events: string[] = [];
    const transport = createMemoryTransport();
    const service = await assembleService(testService(events), {
      config: CONFIG,
      logger: silent(),
      metrics: createMetrics('testservice'),
      connect: () => Promise.resolve(transport),
    });
    assert.deepEqual(events, ['open', 'compose']);
    const before = service.health.report();
    assert.equal(before.status, 'DOWN');
    assert.deepEqual(Object.keys(before.checks).sort(), ['broker', 'store', 'worker']);

    await service.listening(40_001);
    assert.deepEqual(events, ['open', 'compose', 'listening 40001', 'subscribe']);
    assert.equal(service.health.report().status, 'UP');
    assert.equal(service.context.instanceId, 'testservice:40001');
    await service.close();
  });

  void it('shuts down in one order: announcer, HTTP, consumers, own steps, broker, store', async () => {
    const events: string[] = [];
    const service = await assembleService(testService(events), {
      config: CONFIG,
      logger: silent(),
      metrics: createMetrics('testservice'),
      connect: () => Promise.resolve(createMemoryTransport()),
    });
    await service.listening(40_002);
    assert.deepEqual(
      service.shutdownSteps.map((s) => s.name),
      ['announcer', 'http', 'worker', 'own step', 'broker', 'store'],
    );
    events.length = 0;
    await service.close();
    assert.deepEqual(events, ['own step', 'close store']);
    assert.equal(service.transport.state, 'closed');
  });

  void it('closes what it opened and says how to start a broker when the broker cannot be reached', async () => {
    const events: string[] = [];
    const refused = (): Promise<Transport> =>
      Promise.reject(
        new MessagingError('CONNECT_FAILED', 'amqp://guest:***@127.0.0.1:1/: connection refused'),
      );
    await assert.rejects(
      assembleService(testService(events), {
        config: CONFIG,
        logger: silent(),
        metrics: createMetrics('testservice'),
        connect: refused,
      }),
      /^Error: message broker unreachable: .*connection refused; start RabbitMQ with 'rabbitmq-server -detached'/,
    );
    assert.deepEqual(events, ['open', 'close store']);
  });

  void it('with live configuration, follows the config bus and the log level without a restart', async () => {
    let next: TestConfig = CONFIG;
    const live = createLiveConfig<TestConfig>(CONFIG, () => Promise.resolve(next));
    const logger = silent();
    logger.level = 'info';
    const service = await assembleService(testService([]), {
      config: CONFIG,
      live,
      logger,
      metrics: createMetrics('testservice'),
      connect: () => Promise.resolve(createMemoryTransport()),
    });
    assert.ok('configBus' in service.health.report().checks, 'the config bus has its health check');
    assert.ok(service.shutdownSteps.some((s) => s.name === 'config bus'));
    next = { ...CONFIG, log_level: 'debug' };
    await live.refresh();
    assert.equal(logger.level, 'debug');
    await service.close();
  });
});
