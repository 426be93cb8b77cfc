// Formatting for the inspector page: sizes, dates, file modes, platforms and short digests.

import { layerCompression } from './skopos.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 2831000 -> "2.7 MiB". */
export function humanSize(bytes) {
  if (!Number.isFinite(bytes)) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/** 2831000 -> "2,831,000 bytes". */
export function exactSize(bytes) {
  return `${Number(bytes).toLocaleString('en-US')} bytes`;
}

/** An RFC 3339 time as "2024-05-01 12:03:44 UTC", or the input when it does not parse. */
export function formatDate(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$|Z$/, ' UTC');
}

/** "linux/arm64/v8" from a platform object. */
export function platformName(p) {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/') + (p['os.version'] ? ` (${p['os.version']})` : '');
}

/** "sha256:0123456789ab" for compact display. */
export function shortDigest(digest) {
  return digest ? digest.slice(0, digest.indexOf(':') + 13) : '';
}

const TYPE_LETTER = { dir: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p' };

/** ls-style mode: "drwxr-xr-x". */
export function modeString(type, mode) {
  const bits = 'rwxrwxrwx'.split('').map((c, i) => (mode & (0o400 >> i) ? c : '-'));
  if (mode & 0o4000) bits[2] = bits[2] === 'x' ? 's' : 'S';
  if (mode & 0o2000) bits[5] = bits[5] === 'x' ? 's' : 'S';
  if (mode & 0o1000) bits[8] = bits[8] === 'x' ? 't' : 'T';
  return (TYPE_LETTER[type] || '-') + bits.join('');
}

/** A friendly name for a manifest or layer media type. */
export function mediaTypeName(mediaType) {
  const names = {
    'application/vnd.oci.image.index.v1+json': 'OCI image index',
    'application/vnd.oci.image.manifest.v1+json': 'OCI image manifest',
    'application/vnd.docker.distribution.manifest.list.v2+json': 'Docker manifest list',
    'application/vnd.docker.distribution.manifest.v2+json': 'Docker image manifest (v2 schema 2)',
    'application/vnd.docker.distribution.manifest.v1+json': 'Docker image manifest (v2 schema 1)',
    'application/vnd.docker.distribution.manifest.v1+prettyjws': 'Docker image manifest (v2 schema 1, signed)',
  };
  // Which types are layers, and how they are compressed, is the core's to say.
  const compression = layerCompression(mediaType);
  if (compression) return compression === 'none' ? 'tar' : `tar + ${compression}`;
  return names[mediaType] || '';
}
