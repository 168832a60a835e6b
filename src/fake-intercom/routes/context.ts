/** What a route handler sees, and the route table type. */
import type { FaultKind, Obj } from '../types.js';
import type { Version } from '../versions.js';
import type { World } from '../world.js';

/** The one open companies scroll of the app (2.14:L3962: "only have 1 scroll open at a time"). */
export interface ScrollState {
  param: string;
  order: number[];
  pos: number;
  lastRealMs: number;
  lastFake: number;
}

export interface AppState {
  scroll: ScrollState | null;
  scrollIdleMs: number;
  scrollPageSize: number;
  newUuid(): string;
}

export interface Ctx {
  w: World;
  v: Version;
  method: string;
  path: string;
  query: URLSearchParams;
  body: Obj;
  /** http://127.0.0.1:PORT — used to build `next` URLs. */
  baseUrl: string;
  app: AppState;
  /** A scroll fault chosen for this request (scroll_expire / scroll_restart). */
  fault: FaultKind | null;
}

export type Handler = (c: Ctx, params: string[]) => unknown;
export type Route = readonly [method: string, pattern: RegExp, handler: Handler];

/** `/contacts/{id}` style pattern → RegExp capturing each `{…}` segment. */
export function route(method: string, template: string, handler: Handler): Route {
  const re = new RegExp('^' + template.replace(/\{[^}]+\}/g, '([^/]+)') + '/?$');
  return [method, re, handler] as const;
}
