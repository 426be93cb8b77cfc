// The Tags section of the image view: every tag of the repository, filterable and paginated.

import { listTags } from './skopos.js';
import { h, loading, section } from './dom.js';
import { explainError } from './client.js';
import { imageHref } from './routes.js';

const PAGE_SIZE = 60;

/** A section that fills itself with the tags of `ref`'s repository. */
export function tagsSection(ref, input, registries) {
  const filter = h('input', {
    type: 'search',
    id: 'tag-filter',
    placeholder: 'Filter tags',
    'aria-label': 'Filter tags',
    autocomplete: 'off',
  });
  const body = h('div', null, loading('Listing tags…'));
  const card = section('Tags', { id: 'tags', extra: filter }, body);
  let tags = [];
  let page = 0;

  const render = () => {
    const needle = filter.value.trim().toLowerCase();
    const matching = needle ? tags.filter((t) => t.toLowerCase().includes(needle)) : tags;
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const shown = matching.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const pager =
      pages <= 1
        ? ''
        : h(
            'nav',
            { class: 'pager', 'aria-label': 'Tag pages' },
            h(
              'button',
              {
                type: 'button',
                class: 'ghost',
                disabled: page === 0,
                onclick: () => {
                  page -= 1;
                  render();
                },
              },
              '← Previous',
            ),
            h('span', null, `Page ${page + 1} of ${pages}`),
            h(
              'button',
              {
                type: 'button',
                class: 'ghost',
                disabled: page >= pages - 1,
                onclick: () => {
                  page += 1;
                  render();
                },
              },
              'Next →',
            ),
          );
    body.replaceChildren(
      h(
        'p',
        { class: 'muted' },
        needle
          ? `${matching.length} of ${tags.length} tags match`
          : `${tags.length} tag${tags.length === 1 ? '' : 's'}`,
      ),
      h(
        'ul',
        { class: 'tags' },
        shown.map((tag) =>
          h(
            'li',
            null,
            h(
              'a',
              {
                href: imageHref(`${ref.name}:${tag}`),
                'data-nav': true,
                'aria-current': tag === ref.tag ? 'true' : null,
              },
              tag,
            ),
          ),
        ),
      ),
      pager,
    );
  };
  filter.addEventListener('input', () => {
    page = 0;
    render();
  });

  registries
    .call(ref.registry, (o) => listTags(ref.name, o))
    .then(
      (list) => {
        // Registries list tags in their storage's order; people look for them sorted (v2 before v10).
        tags = [...list].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
        render();
      },
      (error) => {
        const { title, detail } = explainError(error, { registry: ref.registry, what: ref.name });
        body.replaceChildren(h('p', { class: 'muted' }, `Tags are not available: ${title}. ${detail}`));
      },
    );
  return card;
}
