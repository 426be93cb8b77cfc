// The inspector page's entry: loads the wasm client, settles the proxy (?proxy=, then Settings,
// then ./config.json), and routes the address (?image=, ?layer=, ?blob=) to its view. Links marked
// data-nav and the search form change the address with history.pushState, so back and forward
// work and every state has a shareable URL.

import init from './skopos.js';
import { Registries, defaultProxy, savedProxy, saveProxy } from './client.js';
import { errorCard } from './dom.js';
import { renderImage } from './image-view.js';
import { renderLayer } from './layer-view.js';
import { renderBlob } from './blob-view.js';
import { currentParams, href } from './routes.js';

const main = document.getElementById('main');
const input = /** @type {HTMLInputElement} */ (document.getElementById('ref'));
const intro = main.firstElementChild;
const registries = new Registries();
let configProxy = '';
let leaving = null;

function settleProxy(params) {
  const [url, source] = params.proxy
    ? [params.proxy, 'address']
    : savedProxy()
      ? [savedProxy(), 'settings']
      : [configProxy, 'config.json'];
  if (url !== registries.proxy) registries.setProxy(url, source);
}

function route({ focus = false } = {}) {
  leaving?.abort();
  leaving = new AbortController();
  const params = currentParams();
  settleProxy(params);
  const ctx = { registries, signal: leaving.signal, platform: params.platform, from: params.from };
  input.value = params.image || '';
  if (params.image) {
    document.title = `${params.image} · skopos`;
    renderImage(main, params.image, ctx);
  } else if (params.layer) {
    document.title = `Layer · skopos`;
    renderLayer(main, params.layer, ctx);
  } else if (params.blob) {
    document.title = `Blob · skopos`;
    renderBlob(main, params.blob, ctx);
  } else {
    document.title = 'skopos · image inspector';
    main.replaceChildren(intro);
  }
  if (focus) main.focus({ preventScroll: true });
}

function navigate(url) {
  history.pushState(null, '', url);
  window.scrollTo(0, 0);
  route({ focus: true });
}

function wire() {
  document.getElementById('search').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (value) navigate(href({ image: value }));
  });
  document.addEventListener('click', (event) => {
    const link = /** @type {Element} */ (event.target).closest('a[data-nav]');
    if (
      !link ||
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(link.getAttribute('href'));
  });
  window.addEventListener('popstate', () => route({ focus: true }));

  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('settings'));
  const proxyInput = /** @type {HTMLInputElement} */ (document.getElementById('proxy'));
  document.getElementById('settings-open').addEventListener('click', () => {
    proxyInput.value = savedProxy();
    proxyInput.placeholder = configProxy || 'https://proxy.example';
    dialog.showModal();
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'save') return;
    saveProxy(proxyInput.value.trim());
    route();
  });
}

async function boot() {
  wire();
  try {
    [configProxy] = await Promise.all([defaultProxy(), init()]);
  } catch (error) {
    main.replaceChildren(
      errorCard({
        title: 'The inspector could not start',
        detail: `Loading the WebAssembly module failed: ${error.message}`,
        fix: [
          'Serve the page over http(s) from the folder that holds skopos.js and skopos_bg.wasm (for example python3 -m http.server -d dist/www).',
        ],
      }),
    );
    return;
  }
  document.documentElement.dataset.ready = 'true';
  route();
}

boot();
