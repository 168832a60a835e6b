/** Low-level HTTP helpers: JSON replies, error bodies, request bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { RawJson, bodyBuffer, releaseBuffer } from './json.js';
import { HttpError } from './types.js';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Intercom's error envelope: `{type:"error.list", request_id, errors:[{code, message}]}` (2.14:L19839). */
export function errorBody(code: string, message: string, requestId: string = randomUUID()): object {
  return { type: 'error.list', request_id: requestId, errors: [{ code, message }] };
}

export function errorReply(err: HttpError, requestId: string): Reply {
  return { status: err.status, body: errorBody(err.code, err.message, requestId), headers: err.headers };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // Encode once: byteLength + end(string) would transcode a large page twice. Hot pages arrive
  // as RawJson text (json.ts) and are only copied.
  const buf = bodyBuffer(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': buf.length,
    ...headers,
  });
  // A pooled page buffer goes back to the pool once the socket has taken all of it ('finish');
  // a response that never finishes (socket gone) just leaves its buffer to the GC.
  const pooled = body instanceof RawJson ? body.pooled : null;
  if (pooled) res.end(buf, () => releaseBuffer(pooled));
  else res.end(buf);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON request body; malformed JSON is a 400 `parameter_invalid` (notes §1.7). */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'parameter_invalid', 'Invalid JSON in request body');
  }
}
