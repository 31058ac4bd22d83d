import { h, show } from './dom.ts';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The AsyncAPI document as a person reads it: each channel, its messages' payloads, who sends and receives. */
export async function renderAsyncApi(target: HTMLElement | null): Promise<void> {
  const doc = obj(await (await fetch('/asyncapi.json')).json());
  const components = obj(obj(doc.components).messages);
  const operations = Object.values(obj(doc.operations)).map(obj);
  show(
    target,
    Object.entries(obj(doc.channels)).map(([id, raw]) => {
      const channel = obj(raw);
      const binding = obj(obj(channel.bindings).amqp);
      const kind = str(binding.is) === 'queue' ? 'queue' : `${str(obj(binding.exchange).type)} exchange`;
      const who = (action: string): string =>
        operations
          .filter((o) => str(o.action) === action && str(obj(o.channel).$ref) === `#/channels/${id}`)
          .map((o) => str(obj((o.tags as unknown[] | undefined)?.[0]).name))
          .join(', ') || '–';
      return h(
        'div',
        { class: 'channel', 'data-channel': id },
        h('h3', {}, h('code', {}, str(channel.address)), ` · ${kind} · ${str(channel.title)}`),
        h('p', { class: 'muted' }, str(channel.description)),
        h('p', {}, h('b', {}, 'sends: '), who('send'), ' — ', h('b', {}, 'receives: '), who('receive')),
        Object.values(obj(channel.messages)).map((ref) => {
          const name = str(obj(ref).$ref).split('/').pop() ?? '';
          const message = obj(components[name]);
          return h(
            'div',
            {},
            h(
              'p',
              {},
              h('b', {}, str(message.title) || name),
              ` (type ${str(message.name)}): ${str(message.summary)}`,
            ),
            schemaTable(obj(message.payload)),
          );
        }),
      );
    }),
  );
}

function schemaTable(schema: Json): HTMLElement {
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return h(
    'table',
    {},
    h('tr', {}, ...['field', 'type', 'constraints', 'required'].map((t) => h('th', {}, t))),
    Object.entries(obj(schema.properties)).map(([name, raw]) => {
      const p = obj(raw);
      const type =
        str(p.type) ||
        (Array.isArray(p.anyOf)
          ? p.anyOf
              .map((a) => (obj(a).const !== undefined ? JSON.stringify(obj(a).const) : str(obj(a).type)))
              .join(' | ')
          : '');
      const constraints = ['format', 'pattern', 'minimum', 'maximum', 'maxLength', 'description']
        .filter((k) => p[k] !== undefined)
        .map((k) => `${k}: ${String(p[k])}`)
        .join('; ');
      return h(
        'tr',
        {},
        h('td', {}, h('code', {}, name)),
        h('td', {}, type),
        h('td', {}, constraints),
        h('td', {}, required.has(name) ? 'yes' : ''),
      );
    }),
  );
}
