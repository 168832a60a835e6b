/**
 * A pass-through proxy in front of the fake Intercom that answers chosen paths the way Intercom
 * answers a workspace whose plan lacks them: 403 `api_plan_restricted` (notes §1.7,
 * 2.14:L6637-6649). Everything else is forwarded untouched to the real fake. `before` sees
 * every request first (tests that change the workspace at a precise point of a run).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export async function restrictingProxy(
  target: string,
  restricted: Record<string, { status: number; code: string; message: string }>,
  /** Called with each request's path before it is answered (e.g. to change the fake between runs). */
  before?: (path: string) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '/').split('?')[0]!;
    before?.(path);
    const rule = restricted[path];
    if (rule) {
      res.writeHead(rule.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error.list', request_id: 'proxy-0001', errors: [{ code: rule.code, message: rule.message }] }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const upstream = await fetch(target + (req.url ?? '/'), {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
    });
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
