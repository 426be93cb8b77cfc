// The page's URLs: ?image=REF[&platform=os/arch], ?layer=NAME@DIGEST[&from=REF], ?blob=NAME@DIGEST.
// A ?proxy= in the current address is carried into every link so shared links keep it.

import { parseReference } from './skopos.js';
import { explainError } from './client.js';
import { errorCard } from './dom.js';

/** The query of the current address as an object. */
export function currentParams() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

/** A link to the page with `params` (and the current ?proxy=, if any). */
export function href(params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const proxy = new URLSearchParams(location.search).get('proxy');
  if (proxy) query.set('proxy', proxy);
  const text = query.toString();
  return text ? `?${text}` : './';
}

export const imageHref = (ref, platform) => href({ image: ref, platform });
export const layerHref = (name, digest, from) => href({ layer: `${name}@${digest}`, from });
export const blobHref = (name, digest, from) => href({ blob: `${name}@${digest}`, from });

/** Splits "registry/repo@sha256:…" into { name, digest }, or null. */
export function splitPinned(value) {
  const at = value ? value.lastIndexOf('@') : -1;
  if (at <= 0) return null;
  return { name: value.slice(0, at).replace(/^docker:\/\//, ''), digest: value.slice(at + 1) };
}

/**
 * The { parts: { name, digest }, ref } of a ?layer= or ?blob= value; when it is not
 * REPOSITORY@DIGEST or not a valid reference, shows the error in `main` and returns null.
 */
export function parsePinned(main, pinned) {
  try {
    const parts = splitPinned(pinned);
    if (!parts) throw Object.assign(new Error(`"${pinned}" is not REPOSITORY@DIGEST`), { code: 'INVALID_REFERENCE' });
    return { parts, ref: parseReference(parts.name) };
  } catch (error) {
    main.replaceChildren(errorCard(explainError(error, { what: pinned })));
    return null;
  }
}
