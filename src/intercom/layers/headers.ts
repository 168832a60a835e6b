/** Auth and version headers on every request (notes §1.2, §1.3). */
import type { Layer } from './types.js';

export interface HeaderOptions {
  accessToken: string;
  apiVersion: string;
  userAgent?: string;
}

export function headersLayer(opts: HeaderOptions): Layer {
  // Built once; the token lives only in this closure and the Authorization header.
  const fixed: Record<string, string> = {
    authorization: `Bearer ${opts.accessToken}`,
    // Pin the response shapes: without it Intercom answers in the app's default version (2.14:L20772).
    'intercom-version': opts.apiVersion,
    // A missing/unsuitable Accept is a 406 (notes §1.3).
    accept: 'application/json',
    'user-agent': opts.userAgent ?? 'intercom-elt',
  };
  return (next) => (req) => {
    const headers = { ...req.headers, ...fixed };
    if (req.method === 'POST') headers['content-type'] = 'application/json';
    return next({ ...req, headers });
  };
}
