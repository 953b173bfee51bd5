/**
 * A small element builder. Text always goes in through textContent, never as markup: names,
 * labels and annotations come from the cluster, and none of it may become HTML.
 */
type Child = Node | string | undefined | null | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Record<string, string | undefined>, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attributes: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** A codicon, as VS Code draws them (the codicon font is part of the webview bundle). */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, 'aria-hidden': 'true' });
}

/**
 * `run` once in the next animation frame however often this is called before it: bursts of
 * scroll events or live updates become one redraw.
 */
export function oncePerFrame(run: () => void): () => void {
  let frame = 0;
  return () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      run();
    });
  };
}

/** Sets text only when it changed: the windowed table rewrites cells on every scroll frame. */
export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
