// A small static file server for the tests of the inspector page: serves a folder on a free
// loopback port with the right content types (application/wasm for the module), plus optional
// extra in-memory files (such as a config.json naming a default proxy).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** Serves `dir`; resolves to { url, close }. `extra` maps paths ('/config.json') to bodies. */
export function serveDirectory(dir, extra = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.endsWith('/') ? `${path}index.html` : path;
    if (extra[file] !== undefined) {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(extra[file]);
      return;
    }
    const safe = normalize(file).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(dir, safe));
      res.writeHead(200, { 'content-type': TYPES[extname(safe)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }) });
    });
  });
}
