// The layer view (?layer=NAME@DIGEST): lists the files of a layer as it streams through gunzip and
// the tar reader in wasm (listLayer), incrementally and cancellably, says when the layer's digest
// has been verified, and shows small text files (readLayerFile).

import { listLayer, readLayerFile } from './skopos.js';
import { explainError } from './client.js';
import { copyButton, errorCard, facts, h, section } from './dom.js';
import { exactSize, humanSize, modeString } from './format.js';
import { imageHref, parsePinned } from './routes.js';

/** Rows drawn at most (the filter finds the rest). */
const MAX_ROWS = 2000;
/** Files larger than this are not offered for viewing. */
const MAX_VIEW = 1 << 20;
/** Bytes of a file shown. */
const VIEW_BYTES = 256 * 1024;

function fileView(name, digest, entry, options) {
  const body = h(
    'p',
    { class: 'loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    `Reading ${entry.path} (the whole layer is read to verify it)…`,
  );
  const card = section(entry.path, { id: 'file-view' }, body);
  readLayerFile(name, digest, entry.path, { ...options, maxBytes: VIEW_BYTES }).then(
    (file) => {
      const bytes = file.bytes;
      const binary = bytes.subarray(0, 8000).includes(0);
      const text = binary ? null : new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      body.replaceWith(
        facts([
          ['Size', `${humanSize(file.entry.size)} (${exactSize(file.entry.size)})`],
          ['Mode', h('code', null, modeString(file.entry.type, file.entry.mode))],
        ]),
        binary
          ? h('p', { class: 'muted' }, 'This is a binary file; it is not shown.')
          : h(
              'div',
              null,
              h('div', { class: 'json-tools' }, copyButton(text, 'Copy the file')),
              h('pre', { class: 'file-text', tabindex: '0' }, h('code', null, text)),
              file.truncated && h('p', { class: 'muted' }, `Only the first ${humanSize(bytes.length)} are shown.`),
            ),
      );
    },
    (error) => {
      const explained = explainError(error, { what: entry.path });
      body.replaceWith(errorCard({ ...explained, fix: error.code === 'NOT_FOUND' ? [] : explained.fix }));
    },
  );
  return card;
}

/** Renders ?layer=NAME@DIGEST into `main`. `ctx` = { registries, signal, from }. */
export async function renderLayer(main, pinned, ctx) {
  const { registries } = ctx;
  const pinnedRef = parsePinned(main, pinned);
  if (!pinnedRef) return;
  const { parts, ref } = pinnedRef;
  const { digest } = parts;
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'Starting…');
  const cancel = h('button', { type: 'button', class: 'ghost', id: 'cancel-listing' }, 'Cancel');
  const filter = h('input', {
    type: 'search',
    id: 'file-filter',
    placeholder: 'Filter paths',
    'aria-label': 'Filter paths',
    autocomplete: 'off',
  });
  const tbody = h('tbody');
  const more = h('p', { class: 'muted' });
  const fileSlot = h('div');
  main.replaceChildren(
    h('h1', { class: 'title' }, 'Layer files'),
    section(
      'Layer',
      { id: 'layer' },
      facts([
        ['Repository', h('code', null, ref.name)],
        ['Digest', h('code', { class: 'digest', id: 'layer-digest' }, digest)],
        ['Image', ctx.from && h('a', { href: imageHref(ctx.from), 'data-nav': true }, ctx.from)],
      ]),
      h('div', { class: 'status-row' }, status, cancel),
    ),
    fileSlot,
    section(
      'Files',
      { id: 'files', extra: filter },
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'files' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Mode'),
              h('th', { scope: 'col', class: 'num' }, 'Size'),
              h('th', { scope: 'col' }, 'Path'),
            ),
          ),
          tbody,
        ),
      ),
      more,
    ),
  );

  const entries = [];
  let drawn = 0;
  let progress = { compressed: 0, uncompressed: 0 };
  let scheduled = false;
  const options = () =>
    registries.options(ref.registry, {
      signal: ctx.signal,
      onProgress: (p) => {
        progress = p;
      },
    });

  const row = (entry) => {
    const viewable = entry.type === 'file' && entry.size <= MAX_VIEW;
    const path = viewable
      ? h(
          'button',
          {
            type: 'button',
            class: 'link',
            title: 'Show this file',
            onclick: () => {
              fileSlot.replaceChildren(fileView(ref.name, digest, entry, registries.options(ref.registry)));
              fileSlot.scrollIntoView({ block: 'nearest' });
            },
          },
          entry.path,
        )
      : h('span', null, entry.path);
    return h(
      'tr',
      { class: `type-${entry.type}` },
      h('td', null, h('code', null, modeString(entry.type, entry.mode))),
      h('td', { class: 'num', title: exactSize(entry.size) }, entry.type === 'file' ? humanSize(entry.size) : ''),
      h(
        'td',
        { class: 'path' },
        path,
        entry.linkTarget != null && h('span', { class: 'link-target' }, ` → ${entry.linkTarget}`),
      ),
    );
  };
  const matches = (entry) => !filter.value || entry.path.toLowerCase().includes(filter.value.trim().toLowerCase());
  const draw = () => {
    scheduled = false;
    const fragment = document.createDocumentFragment();
    let count = tbody.childElementCount;
    for (; drawn < entries.length && count < MAX_ROWS; drawn += 1) {
      if (matches(entries[drawn])) {
        fragment.append(row(entries[drawn]));
        count += 1;
      }
    }
    tbody.append(fragment);
    const hidden = entries.slice(drawn).filter(matches).length;
    more.textContent = hidden ? `${hidden} more entries are not drawn; use the filter to find them.` : '';
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(draw);
    }
  };
  filter.addEventListener('input', () => {
    tbody.replaceChildren();
    drawn = 0;
    schedule();
  });
  const counts = () =>
    `${entries.length.toLocaleString('en-US')} entries · ${humanSize(progress.compressed)} of the layer read, ${humanSize(progress.uncompressed)} unpacked`;

  let reader;
  let cancelled = false;
  cancel.addEventListener('click', () => {
    cancelled = true;
    reader?.cancel();
  });
  const open = () => listLayer(ref.name, digest, options()).getReader();
  try {
    reader = open();
    for (;;) {
      let next;
      try {
        next = await reader.read();
      } catch (error) {
        if (entries.length === 0 && registries.canRetryThroughProxy(ref.registry, error)) {
          registries.viaProxy.add(ref.registry);
          reader = open();
          continue;
        }
        throw error;
      }
      if (cancelled) break;
      if (next.done) break;
      entries.push(next.value);
      status.textContent = `Listing… ${counts()}`;
      schedule();
    }
    draw();
    cancel.remove();
    if (cancelled) {
      status.replaceChildren(
        h('span', { class: 'badge muted' }, 'cancelled'),
        ` Listing cancelled after ${entries.length.toLocaleString('en-US')} entries; the layer was not verified.`,
      );
    } else {
      status.replaceChildren(
        h('span', { class: 'badge ok', id: 'layer-verified' }, '✓ verified'),
        ` ${counts()}. The layer's bytes hash to its digest.`,
      );
    }
  } catch (error) {
    draw();
    cancel.remove();
    if (ctx.signal.aborted) return;
    status.replaceWith(errorCard(explainError(error, { registry: ref.registry, what: digest })));
  }
}
