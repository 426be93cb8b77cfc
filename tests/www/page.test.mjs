// End-to-end tests of the inspector page (dist/www) in headless Chromium, driven by
// playwright-core, against the registries seeded by tests/www/run.sh. Every expected value comes
// from skopeo or from what run.sh seeded. Each state is saved as a screenshot under
// $SKOPOS_TEST_OUTPUT/www/.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDirectory } from './static-server.mjs';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests/www/run.sh`);
  return value;
};
const REG = env('SKOPOS_WWW_REGISTRY');
const REG_NO_CORS = env('SKOPOS_WWW_REGISTRY_NO_CORS');
const SHOTS = join(env('SKOPOS_TEST_OUTPUT'), 'www');
const DIST = fileURLToPath(new URL('../../dist/www/', import.meta.url));
const TIMEOUT = 30_000;

let browser;
let site;
let siteWithProxy;
/** Pages still open when a test ends: it failed; they are saved as failed-N.png. */
const openPages = new Set();
let failures = 0;

before(async () => {
  site = await serveDirectory(DIST);
  // The same site, with a config.json that names the CORS registry as the default proxy.
  siteWithProxy = await serveDirectory(DIST, { '/config.json': JSON.stringify({ proxy: `http://${REG}` }) });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await siteWithProxy?.close();
});

/** A fresh page at `path` of the site; `options` are playwright context options. */
async function open(path, options = {}, base = site.url) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  await page.goto(`${base}/${path}`);
  page.errors = errors;
  openPages.add(page);
  return page;
}

async function shot(page, name) {
  // From the top, so that the sticky header is drawn where it belongs in a full-page capture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function close(page) {
  assert.deepEqual(page.errors.map(String), [], 'no uncaught errors in the page');
  openPages.delete(page);
  await page.context().close();
}

afterEach(async () => {
  for (const page of openPages) {
    failures += 1;
    await page.screenshot({ path: join(SHOTS, `failed-${failures}.png`), fullPage: true }).catch(() => {});
    await page.context().close().catch(() => {});
  }
  openPages.clear();
});

const image = (ref, extra = '') => `?image=${encodeURIComponent(ref)}${extra}`;

describe('the inspector page', () => {
  test('an OCI image: verified digest, config, layers, tags, raw JSON, commands', async () => {
    const page = await open(image(`${REG}/www/hello:v1`));
    await page.locator('#config').waitFor();
    assert.equal(await page.locator('#digest').textContent(), env('SKOPOS_WWW_OCI_DIGEST'));
    assert.match(await page.locator('#summary').textContent(), /✓ verified/);
    assert.match(await page.locator('#summary').textContent(), new RegExp(env('SKOPOS_WWW_OCI_MEDIA_TYPE').replace(/[.+]/g, '\\$&')));
    const config = await page.locator('#config').textContent();
    assert.match(config, /GREETING=hello/);
    assert.match(config, /org\.opencontainers\.image\.title/);
    assert.match(config, /www-test/);
    assert.match(config, new RegExp(`linux/${env('SKOPOS_WWW_ARCH')}`));
    const layers = page.locator('#layers tbody tr');
    assert.equal(await layers.count(), 1);
    assert.match(await layers.first().textContent(), new RegExp(env('SKOPOS_WWW_OCI_LAYER')));
    const size = Number(env('SKOPOS_WWW_OCI_LAYER_SIZE')).toLocaleString('en-US');
    assert.match(await layers.first().textContent(), new RegExp(`${size} bytes`));
    assert.ok((await layers.first().textContent()).includes(env('SKOPOS_WWW_OCI_LAYER_TYPE')), 'the layer shows its media type');
    await page.locator('#tags .tags a').first().waitFor();
    const tags = (await page.locator('#tags .tags a').allTextContents()).sort();
    assert.deepEqual(tags, env('SKOPOS_WWW_TAGS').split(' '));
    assert.match(await page.locator('#raw-manifest').textContent(), new RegExp(env('SKOPOS_WWW_OCI_LAYER')));
    assert.match(await page.locator('#commands').textContent(), new RegExp(`skopos inspect --tls-verify=false docker://${REG}/www/hello@${env('SKOPOS_WWW_OCI_DIGEST')}`));
    await shot(page, 'oci-image');
    await close(page);

    const dark = await open(image(`${REG}/www/hello:v1`), { colorScheme: 'dark' });
    await dark.locator('#history').waitFor();
    assert.equal(await dark.locator('#digest').textContent(), env('SKOPOS_WWW_OCI_DIGEST'));
    await shot(dark, 'oci-image-dark');
    await close(dark);

    const phone = await open(image(`${REG}/www/hello:v1`), { viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.locator('#config').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page fits a phone's width (overflows by ${overflow}px)`);
    await shot(phone, 'oci-image-phone');
    await close(phone);
  });

  test('a two-platform index: the host-like platform is selected, another can be picked, back works', async () => {
    const page = await open(image(`${REG}/www/multi:v1`));
    await page.locator('#selected').waitFor();
    assert.equal(await page.locator('#digest').textContent(), env('SKOPOS_WWW_INDEX_DIGEST'));
    assert.equal(await page.locator('#platforms .platform').count(), 2);
    assert.match(await page.locator('#platforms [aria-current]').textContent(), /linux\/amd64/);
    assert.equal(await page.locator('#image-digest').textContent(), env('SKOPOS_WWW_INDEX_AMD64'));
    await page.locator('#config').waitFor();
    await shot(page, 'index-amd64');

    await page.getByRole('link', { name: /linux\/arm64/ }).click();
    await page.waitForURL(/platform=linux%2Farm64/);
    await page.locator('#config').waitFor();
    assert.equal(await page.locator('#image-digest').textContent(), env('SKOPOS_WWW_INDEX_ARM64'));
    assert.match(await page.locator('#config').textContent(), /linux\/arm64/);
    assert.match(await page.locator('#config').textContent(), /arch\s*=?\s*arm64/);
    await shot(page, 'index-arm64');

    await page.goBack();
    await page.locator('#config').waitFor();
    assert.equal(await page.locator('#image-digest').textContent(), env('SKOPOS_WWW_INDEX_AMD64'));
    await page.goForward();
    await page.locator('#config').waitFor();
    assert.equal(await page.locator('#image-digest').textContent(), env('SKOPOS_WWW_INDEX_ARM64'));
    await close(page);
  });

  test('a Docker v2s2 image: its digest and media type', async () => {
    const page = await open(image(`docker://${REG}/www/hello-docker:v1`));
    await page.locator('#config').waitFor();
    assert.equal(await page.locator('#digest').textContent(), env('SKOPOS_WWW_DOCKER_DIGEST'));
    assert.equal(env('SKOPOS_WWW_DOCKER_MEDIA_TYPE'), 'application/vnd.docker.distribution.manifest.v2+json');
    assert.match(await page.locator('#summary').textContent(), /application\/vnd\.docker\.distribution\.manifest\.v2\+json/);
    assert.match(await page.locator('#config').textContent(), /GREETING=hello/);
    await shot(page, 'docker-v2s2');
    await close(page);
  });

  test('the search box opens an image and the address is shareable', async () => {
    const page = await open('');
    await page.locator('html[data-ready]').waitFor();
    await shot(page, 'start');
    await page.getByLabel('Image reference').fill(`${REG}/www/hello@${env('SKOPOS_WWW_OCI_DIGEST')}`);
    await page.keyboard.press('Enter');
    await page.locator('#config').waitFor();
    assert.equal(await page.locator('#digest').textContent(), env('SKOPOS_WWW_OCI_DIGEST'));
    assert.match(decodeURIComponent(page.url()), new RegExp(`\\?image=${REG}/www/hello@sha256:`));
    await close(page);
  });

  test('keyboard only: open an image, switch platform, open the settings', async () => {
    const page = await open('');
    await page.locator('html[data-ready]').waitFor();
    /** Presses Tab until the focused element matches `test` (at most 60 times). */
    const tabTo = async (description, test) => {
      for (let i = 0; i < 60; i += 1) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(test)) return;
      }
      assert.fail(`Tab never reached ${description}`);
    };
    await tabTo('the reference box', () => document.activeElement?.id === 'ref');
    await page.keyboard.type(`${REG}/www/multi:v1`);
    await page.keyboard.press('Enter');
    await page.locator('#selected').waitFor();
    await page.locator('#config').waitFor();
    await tabTo('the linux/arm64 platform', () => /linux\/arm64/.test(document.activeElement?.textContent || ''));
    await page.keyboard.press('Enter');
    await page.waitForURL(/platform=linux%2Farm64/);
    await page.locator('#config').waitFor();
    assert.equal(await page.locator('#image-digest').textContent(), env('SKOPOS_WWW_INDEX_ARM64'));
    await tabTo('the Settings button', () => document.activeElement?.id === 'settings-open');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#settings').evaluate((d) => d.open), true, 'Enter opens the settings');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'proxy', 'the proxy field has the focus');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#settings').evaluate((d) => d.open), false, 'Escape closes them');
    await close(page);
  });

  test('a layer: its files are listed, the digest verified, a known file shown', async () => {
    const page = await open(image(`${REG}/www/hello:v1`));
    await page.locator('#layers tbody a').first().click();
    await page.locator('#layer-verified').waitFor();
    assert.equal(await page.locator('#layer-digest').textContent(), env('SKOPOS_WWW_OCI_LAYER'));
    const row = page.locator('table.files tr', { hasText: 'etc/greeting' });
    assert.equal(await row.count(), 1);
    const greeting = env('SKOPOS_WWW_GREETING');
    assert.match(await row.textContent(), /-rw-r--r--|-rw-------|-rw-rw-r--/);
    await row.getByRole('button').click();
    await page.locator('#file-view pre').waitFor();
    assert.equal((await page.locator('#file-view pre').textContent()).trim(), greeting);
    await shot(page, 'layer-files');
    await page.goBack();
    await page.locator('#config').waitFor();
    await close(page);
  });

  test('a gzip bomb layer: the tab stays responsive and the listing can be cancelled', async () => {
    const page = await open(`?layer=${encodeURIComponent(`${REG}/www/bomb@${env('SKOPOS_WWW_BOMB_LAYER')}`)}`);
    await page.locator('table.files tr', { hasText: 'zeros' }).waitFor();
    await page.waitForFunction(() => /MiB unpacked|GiB unpacked/.test(document.querySelector('.status')?.textContent || ''));
    for (let i = 0; i < 5; i += 1) {
      const started = Date.now();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
      assert.ok(Date.now() - started < 1000, `a frame was drawn within a second (${Date.now() - started} ms)`);
    }
    await page.locator('#cancel-listing').click();
    await page.waitForFunction(() => /cancelled/.test(document.querySelector('.status')?.textContent || ''));
    const status = await page.locator('.status').textContent();
    assert.match(status, /Listing cancelled after 1 entries/);
    assert.equal(await page.locator('#layer-verified').count(), 0);
    await shot(page, 'layer-cancelled');
    await close(page);
  });

  test('a repository of 75 tags: the Tags section pages and filters them', async () => {
    const expected = env('SKOPOS_WWW_MANY_TAGS').split(' ');
    assert.equal(expected.length, 75);
    const page = await open(image(`${REG}/www/many:t000`));
    const links = page.locator('#tags .tags a');
    await links.first().waitFor();
    assert.match(await page.locator('#tags').textContent(), /75 tags/);
    const first = await links.allTextContents();
    assert.equal(first.length, 60);
    assert.match(await page.locator('#tags .pager').textContent(), /Page 1 of 2/);
    await page.getByRole('button', { name: /Next/ }).click();
    const second = await links.allTextContents();
    assert.equal(second.length, 15);
    assert.deepEqual([...first, ...second], [...expected].sort(), 'the two pages hold every tag skopeo lists, sorted');
    await page.getByLabel('Filter tags').fill('t07');
    const wanted = expected.filter((t) => t.includes('t07'));
    assert.match(await page.locator('#tags').textContent(), new RegExp(`${wanted.length} of 75 tags match`));
    assert.deepEqual((await links.allTextContents()).sort(), wanted.sort());
    await shot(page, 'tags-filtered');
    await close(page);
  });

  test('a missing image shows a clear error', async () => {
    const page = await open(image(`${REG}/www/hello:no-such-tag`));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Not found: 127\.0\.0\.1:\d+\/www\/hello:no-such-tag/);
    await shot(page, 'missing-image');
    await close(page);
  });

  test('a registry without CORS headers: the page explains why and how to fix it', async () => {
    const page = await open(image(`${REG_NO_CORS}/www/hello:v1`));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    assert.match(text, new RegExp(`The registry ${REG_NO_CORS} does not let web pages read it`));
    assert.match(text, /CORS/);
    assert.match(text, /proxy/i);
    assert.match(text, /Access-Control-Allow-Origin/);
    await shot(page, 'cors-error');
    await close(page);
  });

  test('a registry without CORS headers is read through ?proxy= and through config.json', async () => {
    // The proxy here is the CORS registry itself, which holds the same image (and ignores ?ns=).
    const viaParam = await open(image(`${REG_NO_CORS}/www/hello:v1`, `&proxy=${encodeURIComponent(`http://${REG}`)}`));
    await viaParam.locator('#config').waitFor();
    assert.equal(await viaParam.locator('#digest').textContent(), env('SKOPOS_WWW_OCI_DIGEST'));
    assert.match(await viaParam.locator('#summary').textContent(), new RegExp(`through http://${REG}`));
    // Links keep the proxy.
    assert.match(await viaParam.locator('#layers tbody a').first().getAttribute('href'), /proxy=/);
    await close(viaParam);

    const viaConfig = await open(image(`${REG_NO_CORS}/www/hello:v1`), {}, siteWithProxy.url);
    await viaConfig.locator('#config').waitFor();
    assert.equal(await viaConfig.locator('#digest').textContent(), env('SKOPOS_WWW_OCI_DIGEST'));
    await close(viaConfig);
  });
});
