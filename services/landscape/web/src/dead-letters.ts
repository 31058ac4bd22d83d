import { ago, h, show } from './dom.ts';
import { post } from './api.ts';
import type { DeadLetterView, LandscapeSnapshot } from './api.ts';

/** The dead letters of each watched dead-letter queue, with replay and discard, each asking first. */
export function renderDeadLetters(
  target: HTMLElement | null,
  s: LandscapeSnapshot,
  refresh: () => void,
): void {
  show(
    target,
    s.deadLetters.map((listing) =>
      h(
        'div',
        { 'data-dlq': listing.queue },
        h(
          'p',
          {},
          h('code', {}, listing.queue),
          ` ${listing.total} message(s)${listing.truncated ? ` (first ${listing.messages.length} listed)` : ''} `,
          listing.total > 0 &&
            h(
              'button',
              {
                'data-action': 'replay-all',
                onclick: () =>
                  void act(
                    listing.queue,
                    'replay',
                    undefined,
                    `Replay all ${listing.total} message(s) of ${listing.queue}?`,
                    refresh,
                  ),
              },
              'Replay all',
            ),
        ),
        listing.messages.length > 0 &&
          h(
            'table',
            {},
            h(
              'tr',
              {},
              ...['message', 'reason', 'error', 'from', 'when', 'replays', 'body', ''].map((t) =>
                h('th', {}, t),
              ),
            ),
            listing.messages.map((m) => row(listing.queue, m, refresh)),
          ),
      ),
    ),
  );
}

function row(queue: string, m: DeadLetterView, refresh: () => void): HTMLElement {
  const name = m.messageId ?? m.key;
  return h(
    'tr',
    { 'data-key': m.key },
    h('td', {}, h('code', {}, name)),
    h('td', {}, m.reason ?? ''),
    h('td', {}, m.error ?? ''),
    h('td', {}, m.originalQueue ?? ''),
    h('td', { title: m.deadLetteredAt ?? '' }, ago(m.deadLetteredAt)),
    h('td', {}, m.replayCount),
    h('td', {}, h('pre', {}, m.body + (m.bodyTruncated ? ` … (${m.bodyBytes} bytes)` : ''))),
    h(
      'td',
      {},
      h(
        'button',
        {
          'data-action': 'replay',
          onclick: () =>
            void act(queue, 'replay', m.key, `Replay ${name} to ${m.originalQueue ?? 'its queue'}?`, refresh),
        },
        'Replay',
      ),
      h(
        'button',
        {
          'data-action': 'discard',
          onclick: () => void act(queue, 'discard', m.key, `Discard ${name} for good?`, refresh),
        },
        'Discard',
      ),
    ),
  );
}

async function act(
  queue: string,
  action: 'replay' | 'discard',
  key: string | undefined,
  question: string,
  refresh: () => void,
): Promise<void> {
  if (!window.confirm(question)) return;
  const body = key === undefined ? {} : { keys: [key] };
  const { status, json } = await post(`/api/queues/${encodeURIComponent(queue)}/${action}`, body);
  if (status !== 200)
    window.alert(`${action} failed: ${typeof json.error === 'string' ? json.error : `HTTP ${status}`}`);
  refresh();
}
