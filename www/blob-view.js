// The blob view (?blob=NAME@DIGEST): a small blob, such as an image config, verified and shown as
// formatted JSON (or text).

import { readBlobText } from './blobs.js';
import { explainError } from './client.js';
import { errorCard, facts, h, jsonBlock, loading, section } from './dom.js';
import { imageHref, parsePinned } from './routes.js';

export async function renderBlob(main, pinned, ctx) {
  const pinnedRef = parsePinned(main, pinned);
  if (!pinnedRef) return;
  const { parts, ref } = pinnedRef;
  const header = section(
    'Blob',
    { id: 'blob' },
    facts([
      ['Repository', h('code', null, ref.name)],
      ['Digest', h('code', { class: 'digest' }, parts.digest)],
      ['Image', ctx.from && h('a', { href: imageHref(ctx.from), 'data-nav': true }, ctx.from)],
    ]),
  );
  main.replaceChildren(h('h1', { class: 'title' }, 'Blob'), header, loading('Reading the blob…'));
  try {
    const text = await ctx.registries.call(ref.registry, (o) => readBlobText(ref.name, parts.digest, o), {
      signal: ctx.signal,
    });
    let shown = text;
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      /* not JSON: shown as is */
    }
    header
      .querySelector('dl')
      .append(h('dt', null, 'Verified'), h('dd', null, h('span', { class: 'badge ok' }, '✓ verified')));
    main.lastChild.replaceWith(jsonBlock('Content', shown, { open: true }));
  } catch (error) {
    if (!ctx.signal.aborted)
      main.lastChild.replaceWith(errorCard(explainError(error, { registry: ref.registry, what: parts.digest })));
  }
}
