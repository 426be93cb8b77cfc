// The JSON API for scripts and the page, over the same skopos functions as the npm package:
//   GET /api/inspect?image=REF        what `skopos inspect` prints (os, arch, variant select a platform)
//   GET /api/manifest?image=REF       the manifest bytes, with their media type and Docker-Content-Digest
//   GET /api/tags?repository=REF      {"Repository", "Tags"} as `skopeo list-tags` prints (all pages)
//   GET /api/platforms?image=REF      the platforms of an image or index
// Errors are `{"code", "message"}` with the npm package's codes and the status from errors.js.
// The image's registry must be on the allow-list (403 DENIED otherwise).

import { getManifest, inspect, listTags, parseReference, platforms } from './skopos.js';
import { apiError, codedError } from './errors.js';
import { IMMUTABLE } from './digest-cache.js';

const ROUTES = {
  '/api/inspect': { param: 'image', run: (ref, options) => inspect(ref, options).then(json) },
  '/api/platforms': { param: 'image', run: (ref, options) => platforms(ref, options).then(json) },
  '/api/manifest': { param: 'image', run: manifestResponse },
  '/api/tags': { param: 'repository', run: tagsResponse },
};

function json(value) {
  return Response.json(value);
}

async function manifestResponse(ref, options) {
  const manifest = await getManifest(ref, options);
  const headers = { 'Content-Type': manifest.mediaType, 'Docker-Content-Digest': manifest.digest };
  if (parseReference(ref).digest) headers['Cache-Control'] = IMMUTABLE;
  return new Response(new TextEncoder().encode(manifest.raw), { headers });
}

async function tagsResponse(ref, options) {
  const tags = await listTags(ref, options);
  return Response.json({ Repository: parseReference(ref).name, Tags: tags });
}

/** Handles a request under /api/. */
export async function handleApi(request, url, config) {
  try {
    const route = ROUTES[url.pathname];
    if (!route) throw codedError('NOT_FOUND', `no such API endpoint: ${url.pathname}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw codedError('UNSUPPORTED', `${request.method} is not allowed on ${url.pathname}`);
    }
    const ref = url.searchParams.get(route.param);
    if (!ref) throw codedError('INVALID_REFERENCE', `missing query parameter: ${route.param}`);
    const { registry } = parseReference(ref);
    if (!config.isAllowed(registry)) {
      throw codedError('DENIED', `registry ${registry} is not on this Worker's allow-list (REGISTRIES)`);
    }
    const options = config.upstreamOptions(registry);
    for (const [param, option] of [
      ['os', 'overrideOs'],
      ['arch', 'overrideArch'],
      ['variant', 'overrideVariant'],
    ]) {
      const value = url.searchParams.get(param);
      if (value) options[option] = value;
    }
    const response = await route.run(ref, options);
    return request.method === 'HEAD' ? new Response(null, response) : response;
  } catch (error) {
    return apiError(error);
  }
}
