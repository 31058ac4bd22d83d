// Unit tests of the declaration fallback against scripted channels: what the real broker shows only in a race
// (a queue deleted between the refused declaration and the passive check).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { ChannelModel } from 'amqplib';
import { Declarer } from '../src/amqp/declare.js';

function brokerError(code: number, text: string): Error {
  return Object.assign(new Error(`Operation failed: QueueDeclare; ${code} (${text})`), { code });
}

/** Each channel answers from the script; a refusal closes it, like the broker does. */
class ScriptedModel {
  readonly calls: string[] = [];
  opened = 0;

  constructor(private readonly script: Record<string, Error | undefined>) {}

  createChannel(): Promise<EventEmitter> {
    const id = ++this.opened;
    const ch = new EventEmitter();
    let open = true;
    const answer = (op: string, queue: string): Promise<object> => {
      this.calls.push(`${id} ${op} ${queue}`);
      if (!open) return Promise.reject(new Error('Channel closed'));
      const err = this.script[`${op} ${queue}`];
      if (err === undefined) return Promise.resolve({ queue });
      open = false;
      ch.emit('close');
      return Promise.reject(err);
    };
    Object.assign(ch, {
      assertQueue: (q: string) => answer('assert', q),
      checkQueue: (q: string) => answer('check', q),
      close: () => Promise.resolve(),
    });
    return Promise.resolve(ch);
  }

  asModel(): ChannelModel {
    return this as unknown as ChannelModel;
  }
}

describe('Declarer', () => {
  it('uses a queue that exists with other arguments after a passive check on a fresh channel', async () => {
    const model = new ScriptedModel({ 'assert q': brokerError(406, 'PRECONDITION-FAILED') });
    const adopted: string[] = [];
    const d = new Declarer(model.asModel(), (queue) => adopted.push(queue));
    await d.queue('q', { durable: true });
    await d.queue('q.dlq', { durable: true });
    assert.deepEqual(model.calls, ['1 assert q', '2 check q', '2 assert q.dlq']);
    assert.deepEqual(adopted, ['q']);
  });

  it('fails when the queue does not exist at all on the passive check', async () => {
    const model = new ScriptedModel({
      'assert q': brokerError(406, 'PRECONDITION-FAILED'),
      'check q': brokerError(404, 'NOT-FOUND'),
    });
    const adopted: string[] = [];
    const d = new Declarer(model.asModel(), (queue) => adopted.push(queue));
    await assert.rejects(d.queue('q', { durable: true }), /404/);
    assert.deepEqual(adopted, []);
  });

  it('fails on any other refusal without a passive check', async () => {
    const model = new ScriptedModel({ 'assert q': brokerError(405, 'RESOURCE-LOCKED') });
    const d = new Declarer(model.asModel(), () => assert.fail('not adopted'));
    await assert.rejects(d.queue('q', { durable: true }), /405/);
    assert.deepEqual(model.calls, ['1 assert q']);
  });
});
