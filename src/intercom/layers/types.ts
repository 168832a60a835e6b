/** The shape every client layer shares: `type Send = (req) => Promise<Res>` (STYLE.md, "from undici"). */
import type { IntercomRequest } from '../types.js';

/** A request on its way down the layers: the caller's request plus the headers layers add. */
export interface WireRequest extends IntercomRequest {
  headers: Record<string, string>;
}

/** A response on its way up: raw text from the transport, `body` once decoded. */
export interface WireResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  text: string;
  body?: unknown;
}

export type Send = (req: WireRequest) => Promise<WireResponse>;
export type Layer = (next: Send) => Send;

/** Counters the layers bump; the client reports them as ClientStats. */
export interface Counters {
  requests: number;
  retries: number;
  rateLimited: number;
}

/** `compose(a, b, c)(send)` = a(b(c(send))): the list reads outside-in. */
export function compose(...layers: Layer[]): (send: Send) => Send {
  return (send) => layers.reduceRight((next, layer) => layer(next), send);
}
