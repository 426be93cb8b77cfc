// The skopos edge Worker (Cloudflare Workers / workerd): the JSON API (/api/*), a verifying
// registry proxy (/v2/*), the page's configuration (/config.json: use this Worker as proxy) and
// the static page (the ASSETS binding, dist/www). Every response carries CORS headers; preflight
// OPTIONS requests are answered here. Configuration: config.js and wrangler.toml.

import { readConfig } from './config.js';
import { preflight, withCors } from './cors.js';
import { apiError } from './errors.js';
import { handleApi } from './api.js';
import { handleRegistry } from './registry-proxy.js';

async function route(request, env, ctx, config) {
  const url = new URL(request.url);
  if (request.method === 'OPTIONS') return preflight(request, config.corsOrigins);
  if (url.pathname === '/v2' || url.pathname.startsWith('/v2/')) return handleRegistry(request, url, config, ctx);
  if (url.pathname.startsWith('/api/')) return handleApi(request, url, config);
  if (url.pathname === '/config.json') return Response.json({ proxy: url.origin });
  if (env.ASSETS) return env.ASSETS.fetch(request);
  return new Response('Not found\n', { status: 404 });
}

export default {
  async fetch(request, env, ctx) {
    let config;
    try {
      config = readConfig(env);
    } catch (error) {
      return apiError(error);
    }
    return withCors(request, await route(request, env, ctx, config), config.corsOrigins);
  },
};
