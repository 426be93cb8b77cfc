// Tiny DOM helpers for the inspector page: element creation, copy buttons, and collapsible JSON.

/** Creates an element: h('a', {href, class, onclick}, child, …). Null/false children are skipped. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A button that copies `text()` (or the string) to the clipboard and says so. */
export function copyButton(text, label = 'Copy') {
  const button = h(
    'button',
    { type: 'button', class: 'copy ghost', 'aria-label': `${label} to the clipboard` },
    'Copy',
  );
  button.addEventListener('click', async () => {
    const value = typeof text === 'function' ? text() : text;
    try {
      await navigator.clipboard.writeText(value);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Select and copy';
    }
    setTimeout(() => {
      button.textContent = 'Copy';
    }, 1500);
  });
  return button;
}

/**
 * A collapsible block of formatted JSON with a copy button.
 * @param {string} title
 * @param {unknown} value
 * @param {{ open?: boolean, id?: string }} [options]
 */
export function jsonBlock(title, value, { open = false, id } = {}) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return h(
    'details',
    { class: 'json', open, id },
    h('summary', null, title),
    h('div', { class: 'json-tools' }, copyButton(text, title)),
    h('pre', { tabindex: '0' }, h('code', null, text)),
  );
}

/**
 * A section with a heading.
 * @param {string} title
 * @param {{ id?: string, extra?: Node | string | null }} [options]
 * @param {...(Node | string | null | undefined | false)} children
 */
export function section(title, { id, extra } = {}, ...children) {
  return h(
    'section',
    { class: 'card', id, 'aria-labelledby': id && `${id}-title` },
    h('div', { class: 'card-head' }, h('h2', { id: id && `${id}-title` }, title), extra),
    ...children,
  );
}

/** A definition list from [term, value] pairs; rows with an empty value are left out. */
export function facts(rows) {
  const list = h('dl', { class: 'facts' });
  for (const [term, value] of rows) {
    if (value == null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    list.append(h('dt', null, term), h('dd', null, value));
  }
  return list;
}

/** A "working on it" line, announced to screen readers. */
export function loading(text) {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

/** An error card from { title, detail, fix: [lines] }. */
export function errorCard({ title, detail, fix = [] }, extra) {
  return h(
    'section',
    { class: 'card error', role: 'alert' },
    h('h2', null, title),
    detail && h('p', { class: 'detail' }, detail),
    fix.length > 0 &&
      h(
        'ul',
        { class: 'fix' },
        fix.map((line) => h('li', null, line)),
      ),
    extra,
  );
}
