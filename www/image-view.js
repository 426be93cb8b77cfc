// The image view (?image=REF): the verified manifest, an index's platforms, the selected image's
// config, layers, history and annotations, the repository's tags, the raw JSON documents and
// ready-to-paste skopos command lines. Sections appear as their data arrives.

import { choosePlatform, getConfig, listTags, manifestDigest, parseReference } from './skopos.js';
import { manifestOf, readBlobText } from './blobs.js';
import { explainError } from './client.js';
import { commandLines } from './commands.js';
import { copyButton, errorCard, facts, h, jsonBlock, loading, section } from './dom.js';
import { exactSize, formatDate, humanSize, mediaTypeName, platformName, shortDigest } from './format.js';
import { blobHref, imageHref, layerHref } from './routes.js';
import { tagsSection } from './tags-view.js';

/** The platform of this browser's machine, as an index would name it (linux/amd64 by default). */
function hostPlatform() {
  const ua = navigator.userAgent;
  const arch = /aarch64|arm64|armv8/i.test(ua) ? 'arm64' : /\barm/i.test(ua) ? 'arm' : 'amd64';
  return { os: 'linux', architecture: arch };
}

/** The index entry to show first: the one named in the address, else the one `inspect` picks
 *  for this machine (choosePlatform), else a runnable one of the same OS, else the first. */
function pickEntry(index, wanted) {
  const entries = index.manifests;
  if (wanted) {
    const named = entries.find((e) => platformName(e.platform) === wanted || e.digest === wanted);
    if (named) return named;
  }
  const host = hostPlatform();
  try {
    const chosen = choosePlatform(index, { os: host.os, arch: host.architecture });
    return entries.find(
      (e) => e.digest === chosen.digest && platformName(e.platform) === platformName(chosen.platform),
    );
  } catch {
    const images = entries.filter((e) => e.platform && !e.attestation);
    return images.find((e) => e.platform.os === host.os) || images[0] || entries[0];
  }
}

/** A digest with a "verified" mark when `verified`, linking to `link` if given. */
function digestLine(digest, verified, link, id) {
  const text = h('code', { class: 'digest', id }, digest);
  return h(
    'span',
    { class: 'digest-line' },
    link ? h('a', { href: link, 'data-nav': true }, text) : text,
    verified
      ? h('span', { class: 'badge ok', title: 'The manifest bytes hash to this digest' }, '✓ verified')
      : h('span', { class: 'badge bad' }, '✗ not verified'),
    copyButton(digest, 'Copy the digest'),
  );
}

/** Whether the manifest text hashes to its digest (checked here, on top of the client's check). */
function verifyManifest(fetched) {
  try {
    return manifestDigest(new TextEncoder().encode(fetched.raw)) === fetched.digest;
  } catch {
    return false;
  }
}

function sizeCell(bytes) {
  return h('span', { class: 'size', title: exactSize(bytes) }, humanSize(bytes), h('small', null, exactSize(bytes)));
}

function list(values) {
  if (!values || values.length === 0) return null;
  return h(
    'ul',
    { class: 'plain' },
    values.map((v) => h('li', null, h('code', null, v))),
  );
}

function keyValues(object) {
  const entries = Object.entries(object || {});
  if (entries.length === 0) return null;
  return h(
    'table',
    { class: 'kv' },
    h(
      'tbody',
      null,
      entries.map(([k, v]) =>
        h('tr', null, h('th', { scope: 'row' }, h('code', null, k)), h('td', null, h('code', null, String(v)))),
      ),
    ),
  );
}

function annotationsSection(title, annotations) {
  const table = keyValues(annotations);
  return table && section(title, { id: title.toLowerCase().replace(/\W+/g, '-') }, table);
}

function platformsSection(ref, input, entries, selected) {
  const items = entries.map((entry) => {
    const name = platformName(entry.platform);
    const current = entry === selected;
    return h(
      'li',
      null,
      h(
        'a',
        {
          class: current ? 'platform current' : 'platform',
          href: imageHref(input, name),
          'data-nav': true,
          'aria-current': current ? 'true' : null,
        },
        h('strong', null, name),
        h('small', null, shortDigest(entry.digest)),
      ),
    );
  });
  return section(`Platforms (${entries.length})`, { id: 'platforms' }, h('ul', { class: 'platforms' }, items));
}

function configSection(config) {
  const c = config.config || {};
  const ports = Object.keys(c.ExposedPorts || {});
  return section(
    'Config',
    { id: 'config' },
    facts([
      ['Created', formatDate(config.created)],
      ['Author', config.author],
      [
        'Platform',
        platformName({
          os: config.os,
          architecture: config.architecture,
          variant: config.variant,
          'os.version': config['os.version'],
        }),
      ],
      ['Entrypoint', c.Entrypoint && h('code', null, JSON.stringify(c.Entrypoint))],
      ['Cmd', c.Cmd && h('code', null, JSON.stringify(c.Cmd))],
      ['Working dir', c.WorkingDir && h('code', null, c.WorkingDir)],
      ['User', c.User && h('code', null, c.User)],
      ['Exposed ports', ports.length ? list(ports) : null],
      ['Env', list(c.Env)],
      ['Labels', keyValues(c.Labels)],
      ['Stop signal', c.StopSignal],
    ]),
  );
}

function layersSection(name, layers, from) {
  const total = layers.reduce((sum, l) => sum + (l.size || 0), 0);
  const rows = layers.map((layer, i) =>
    h(
      'tr',
      null,
      h('td', { class: 'num' }, String(i + 1)),
      h(
        'td',
        null,
        h(
          'a',
          { href: layerHref(name, layer.digest, from), 'data-nav': true, title: `List the files of ${layer.digest}` },
          h('code', { class: 'digest' }, layer.digest),
        ),
      ),
      h(
        'td',
        { class: 'media-type' },
        mediaTypeName(layer.mediaType),
        h('small', null, h('code', null, layer.mediaType)),
      ),
      h('td', { class: 'num' }, layer.size == null ? '?' : sizeCell(layer.size)),
    ),
  );
  return section(
    `Layers (${layers.length})`,
    {
      id: 'layers',
      extra: h('span', { class: 'total' }, 'Total ', sizeCell(total)),
    },
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'layers' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, '#'),
            h('th', { scope: 'col' }, 'Digest (open to list files)'),
            h('th', { scope: 'col' }, 'Media type'),
            h('th', { scope: 'col', class: 'num' }, 'Size'),
          ),
        ),
        h(
          'tbody',
          null,
          rows.length ? rows : h('tr', null, h('td', { colspan: '4', class: 'muted' }, 'This image has no layers.')),
        ),
      ),
    ),
  );
}

function historySection(history) {
  if (!history || history.length === 0) return null;
  const rows = history.map((step) =>
    h(
      'tr',
      { class: step.empty_layer ? 'empty-layer' : null },
      h('td', null, formatDate(step.created)),
      h('td', null, h('code', null, step.created_by || step.comment || '')),
      h(
        'td',
        null,
        step.empty_layer ? h('span', { class: 'badge muted' }, 'empty layer') : h('span', { class: 'badge' }, 'layer'),
      ),
    ),
  );
  return section(
    `History (${history.length})`,
    { id: 'history' },
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'history' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Created'),
            h('th', { scope: 'col' }, 'Created by'),
            h('th', { scope: 'col' }, ''),
          ),
        ),
        h('tbody', null, rows),
      ),
    ),
  );
}

function commandsSection(lines) {
  return section(
    'Command line',
    { id: 'commands' },
    h(
      'ul',
      { class: 'commands' },
      lines.map(([label, line]) =>
        h(
          'li',
          null,
          h('span', { class: 'label' }, label),
          h('code', null, line),
          copyButton(line, `Copy the ${label.toLowerCase()} command`),
        ),
      ),
    ),
  );
}

/** Renders ?image=INPUT into `main`. `ctx` = { registries, platform }. */
export async function renderImage(main, input, ctx) {
  const { registries } = ctx;
  let ref;
  try {
    ref = parseReference(input.trim());
  } catch (error) {
    main.replaceChildren(errorCard(explainError(error, { what: input })));
    return;
  }
  const pinnedOrTagged = ref.digest ? `${ref.name}@${ref.digest}` : `${ref.name}:${ref.tag || 'latest'}`;
  const title = h(
    'h1',
    { class: 'title' },
    ref.digest ? `${ref.familiar}` : `${ref.familiar}${ref.tag ? '' : ':latest'}`,
  );
  main.replaceChildren(title, loading(`Fetching the manifest of ${pinnedOrTagged}…`));
  const explain = (error, what) =>
    errorCard(
      explainError(error, {
        registry: ref.registry,
        what,
        proxy: registries.viaProxy.has(ref.registry) ? registries.proxy : '',
      }),
    );

  let top;
  try {
    top = await registries.call(ref.registry, (o) => manifestOf(pinnedOrTagged, o));
  } catch (error) {
    main.replaceChildren(title, explain(error, pinnedOrTagged));
    return;
  }
  const isIndex = top.kind === 'index';
  const summary = section(
    isIndex ? 'Image index' : 'Image',
    { id: 'summary' },
    facts([
      ['Reference', h('code', null, ref.string + (ref.tag || ref.digest ? '' : ':latest'))],
      ['Digest', digestLine(top.digest, verifyManifest(top), imageHref(`${ref.name}@${top.digest}`), 'digest')],
      [
        'Media type',
        h(
          'span',
          null,
          h('code', null, top.mediaType),
          mediaTypeName(top.mediaType) && h('small', null, ` ${mediaTypeName(top.mediaType)}`),
        ),
      ],
      ['Manifest size', sizeCell(new TextEncoder().encode(top.raw).length)],
      [
        'Registry',
        ctx.registries.viaProxy.has(ref.registry) ? `${ref.registry} (through ${registries.proxy})` : ref.registry,
      ],
    ]),
  );
  const body = h('div', { class: 'sections' });
  main.replaceChildren(title, summary, body);

  let image = top;
  let imageRef = pinnedOrTagged;
  if (isIndex) {
    const entries = top.manifests;
    const selected = pickEntry(top, ctx.platform);
    body.append(platformsSection(ref, input, entries, selected));
    if (!selected) return;
    imageRef = `${ref.name}@${selected.digest}`;
    const pending = loading(`Fetching the ${platformName(selected.platform)} image…`);
    body.append(pending);
    try {
      image = await registries.call(ref.registry, (o) => manifestOf(imageRef, o));
    } catch (error) {
      pending.replaceWith(explain(error, imageRef));
      return;
    }
    pending.replaceWith(
      section(
        `Selected image: ${platformName(selected.platform)}`,
        { id: 'selected' },
        facts([
          ['Digest', digestLine(image.digest, verifyManifest(image), imageHref(imageRef), 'image-digest')],
          ['Media type', h('code', null, image.mediaType)],
        ]),
      ),
    );
  }

  const manifest = image.manifest;
  const schema1 = image.kind === 'schema1';
  const layers = image.layers;
  const configSlot = h('div', null, loading('Fetching the config…'));
  body.append(configSlot, layersSection(ref.name, layers, input));
  const historySlot = h('div');
  body.append(historySlot);
  const annotations = [annotationsSection('Annotations', manifest.annotations)];
  if (isIndex) annotations.push(annotationsSection('Index annotations', top.manifest.annotations));
  body.append(...annotations.filter(Boolean));
  const tagsSlot = h('div');
  body.append(tagsSlot);
  const rawSlot = h(
    'section',
    { class: 'card', id: 'raw', 'aria-labelledby': 'raw-title' },
    h('h2', { id: 'raw-title' }, 'Raw documents'),
  );
  if (isIndex) rawSlot.append(jsonBlock('Index manifest', JSON.stringify(top.manifest, null, 2), { id: 'raw-index' }));
  rawSlot.append(
    jsonBlock(isIndex ? 'Image manifest' : 'Manifest', JSON.stringify(manifest, null, 2), { id: 'raw-manifest' }),
  );
  body.append(rawSlot);
  body.append(
    commandsSection(
      commandLines({ registry: ref.registry, name: ref.name, digest: top.digest, tag: ref.tag, isIndex }),
    ),
  );

  // Tags load beside the config: a registry that refuses tag lists only loses that section.
  tagsSlot.replaceWith(tagsSection(ref, input, registries));

  try {
    let config;
    if (schema1) {
      config = await registries.call(ref.registry, (o) => getConfig(imageRef, o));
    } else {
      const text = await registries.call(ref.registry, (o) => readBlobText(ref.name, image.config.digest, o));
      config = JSON.parse(text);
      rawSlot.append(jsonBlock('Config', JSON.stringify(config, null, 2), { id: 'raw-config' }));
    }
    const configCard = configSection(config);
    if (!schema1) {
      configCard
        .querySelector('dl')
        .prepend(
          h('dt', null, 'Digest'),
          h(
            'dd',
            null,
            h(
              'span',
              { class: 'digest-line' },
              h(
                'a',
                { href: blobHref(ref.name, image.config.digest, input), 'data-nav': true },
                h('code', { class: 'digest', id: 'config-digest' }, image.config.digest),
              ),
              h('span', { class: 'badge ok', title: 'The config bytes hash to this digest' }, '✓ verified'),
            ),
          ),
        );
    }
    configSlot.replaceWith(configCard);
    const history = historySection(config.history);
    if (history) historySlot.replaceWith(history);
  } catch (error) {
    configSlot.replaceWith(explain(error, `the config of ${imageRef}`));
  }
}
