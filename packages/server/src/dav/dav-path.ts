/**
 * Request paths under `/dav/` → RetroArch-relative paths (`saves/mGBA/Game.srm`), decoded one
 * segment at a time (an encoded `/` never adds a segment), Unicode NFC, and refused when a
 * segment is empty after the first, `.`/`..`, or holds a control character or a backslash —
 * so no name from a client can escape the device's namespace.
 */
import { DavError } from './dav-service.js';

export const DAV_PREFIX = '/dav';
const MAX_PATH_BYTES = 1024;

/** The path of a request URL (or of a Destination URL's path part); '' is the root. */
export function davPath(urlPath: string): string {
  const pathname = urlPath.split('?')[0] ?? '';
  if (pathname !== DAV_PREFIX && !pathname.startsWith(`${DAV_PREFIX}/`)) throw new DavError(400, 'Not a /dav/ path.');
  let rest = pathname.slice(DAV_PREFIX.length).replace(/^\/+/, '');
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest === '') return '';
  const segs: string[] = [];
  for (const raw of rest.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw).normalize('NFC');
    } catch {
      throw new DavError(400, 'Bad percent-encoding in the path.');
    }
    // eslint-disable-next-line no-control-regex
    if (seg === '' || seg === '.' || seg === '..' || /[\u0000-\u001f\u007f/\\]/.test(seg)) throw new DavError(400, 'Bad path segment.');
    segs.push(seg);
  }
  const path = segs.join('/');
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw new DavError(414, 'Path too long.');
  return path;
}

/**
 * The `Destination` header of COPY/MOVE: an absolute URL (RetroArch builds it from its
 * `webdav_url`) or an absolute path. Its host is not compared with ours: behind a reverse proxy
 * the public name differs. A proxy that adds a path prefix (`/retrosync/dav/…`) is allowed for.
 */
export function destinationPath(header: string | undefined): string {
  if (!header) throw new DavError(400, 'COPY and MOVE need a Destination header.');
  let pathname: string;
  try {
    pathname = new URL(header, 'http://localhost').pathname;
  } catch {
    throw new DavError(400, 'Destination is not a URL.');
  }
  const at = pathname.indexOf(`${DAV_PREFIX}/`);
  if (at > 0) pathname = pathname.slice(at);
  return davPath(pathname);
}
