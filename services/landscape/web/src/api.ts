import type { LandscapeSnapshot } from '../../src/collector.ts';

export type { LandscapeSnapshot };
export type InstanceView = LandscapeSnapshot['services'][number]['instances'][number];
export type QueueView = LandscapeSnapshot['queues'][number];
export type DeadLetterListing = LandscapeSnapshot['deadLetters'][number];
export type DeadLetterView = DeadLetterListing['messages'][number];

let authorization: string | undefined;

/**
 * POSTs `body` as JSON; on a 401 asks for credentials (the page's dialog) and tries once more with them.
 * Resolves with the JSON answer and its status.
 */
export async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    if (response.status === 401 && attempt === 0 && (await askCredentials())) continue;
    return {
      status: response.status,
      json: (await response.json().catch(() => ({}))) as Record<string, unknown>,
    };
  }
  return { status: 401, json: { error: 'authentication required' } };
}

function askCredentials(): Promise<boolean> {
  const dialog = document.getElementById('login') as HTMLDialogElement | null;
  const form = dialog?.querySelector('form');
  if (!dialog || !form) return Promise.resolve(false);
  form.reset();
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (dialog.returnValue !== 'ok') {
          resolve(false);
          return;
        }
        const data = new FormData(form);
        const user = formText(data.get('user'));
        const password = formText(data.get('password'));
        authorization = `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)))}`;
        resolve(true);
      },
      { once: true },
    );
  });
}

function formText(value: FormDataEntryValue | null): string {
  return typeof value === 'string' ? value : '';
}
