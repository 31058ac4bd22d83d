/** Attributes of an element made by `h`: strings set as attributes, functions as event listeners. */
export type Attrs = Readonly<
  Record<string, string | number | boolean | undefined | ((event: Event) => void)>
>;
export type Child = Node | string | number | null | undefined | false;

/**
 * A DOM element, the one way this page makes one. Text goes in as text nodes, never as HTML, so nothing a
 * message body or header carries can become markup.
 */
export function h(tag: string, attrs: Attrs = {}, ...children: (Child | readonly Child[])[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces what `target` shows. */
export function show(target: HTMLElement | null, ...children: (Child | readonly Child[])[]): void {
  target?.replaceChildren(
    ...children
      .flat()
      .filter((c): c is Node | string => c !== null && c !== undefined && c !== false)
      .map((c) => (typeof c === 'number' ? String(c) : c)),
  );
}

/** "12 s ago", "3 min ago": how long since an ISO time. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** A rate for a path label: "2.5/s", or "" when nothing flows. */
export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined || value <= 0) return '';
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)}/s`;
}
