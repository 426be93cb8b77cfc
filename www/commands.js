// Ready-to-paste skopos command lines for what the page shows.

import { isLoopback } from './client.js';

/** `skopos inspect` and `skopos copy` lines for an image pinned by digest. */
export function commandLines({ registry, name, digest, tag, isIndex }) {
  const source = `docker://${name}@${digest}`;
  const insecure = isLoopback(registry);
  const base = name.split('/').pop();
  return [
    ['Inspect', `skopos inspect${insecure ? ' --tls-verify=false' : ''} ${source}`],
    [
      'Copy',
      `skopos copy${isIndex ? ' --all' : ''}${insecure ? ' --src-tls-verify=false' : ''} ${source} oci:${base}:${tag || 'latest'}`,
    ],
  ];
}
