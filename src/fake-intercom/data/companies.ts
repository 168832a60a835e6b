/** Companies: a pure function of (seed, index); canonical shape = 2.14 `company` (2.14:L16141-16262). */
import { STREAM, distinct, int, pick, rng } from '../prng.js';
import type { Obj } from '../types.js';
import type { Gen } from './context.js';
import { objectId } from './ids.js';
import { COMPANY_ATTRS, INDUSTRIES, LAST, PLANS } from './names.js';
import { MAX_LAG, baseUpdatedAt } from './timeline.js';
import { customAttributes } from './values.js';
import { segmentId, tagId, tagName } from './workspace.js';

export const COMPANY_KIND = 0xc1;

/** "Companies will be only visible in Intercom when there is at least one associated user" (2.14:L3284): every 7th has none. */
export function companyHasUsers(j: number): boolean {
  return j % 7 !== 3;
}

function createdAt(g: Gen, j: number): number {
  const updated = baseUpdatedAt(j, g.counts.companies, g.now0);
  return updated - Math.floor(rng(g.seed, STREAM.company, j, 1)() * MAX_LAG);
}

export function companyId(g: Gen, j: number): string {
  return objectId(createdAt(g, j), g.seed, COMPANY_KIND, j);
}

export interface CompanyModel {
  index: number;
  obj: Obj;
  tagIds: string[];
  segmentIds: string[];
  /** Overlay-created companies say here whether a user was attached. */
  hasUsers: boolean;
}

export function baseCompany(g: Gen, j: number): CompanyModel {
  const updated = baseUpdatedAt(j, g.counts.companies, g.now0);
  const created = createdAt(g, j);
  const r = rng(g.seed, STREAM.company, j, 2);
  const name = `${pick(r, LAST)} ${pick(r, ['Inc', 'GmbH', 'Ltd', 'KK', 'S.A.', '& Co'])} ${j}`;
  const planIdx = int(r, 0, PLANS.length - 1);
  const attrs = customAttributes(r, COMPANY_ATTRS, updated);
  return {
    index: j,
    obj: {
      type: 'company',
      id: companyId(g, j),
      name,
      app_id: g.appId,
      plan: { type: 'plan', id: String(269_000 + planIdx), name: PLANS[planIdx] },
      company_id: `cmp-${g.seed}-${j}`,
      remote_created_at: created - int(r, 0, 365) * 86400,
      created_at: created,
      updated_at: updated,
      last_request_at: updated - int(r, 0, 7 * 86400),
      size: int(r, 1, 5000),
      website: `https://www.company${j}.test`,
      industry: pick(r, INDUSTRIES),
      monthly_spend: int(r, 0, 20000),
      session_count: int(r, 0, 2000),
      user_count: 0,
      // Values are typed (number/boolean) as real responses and examples show, although the
      // schema says string-valued (notes §8).
      custom_attributes: attrs,
    },
    tagIds: g.counts.tags ? distinct(r, int(r, 0, 2), g.counts.tags).map(tagId) : [],
    segmentIds: g.counts.segments ? distinct(r, int(r, 0, 2), g.counts.segments).map((k) => segmentId(g, k)) : [],
    hasUsers: companyHasUsers(j),
  };
}

/** API object: nested `tag.list` and `segment.list` (2.14:L16236-16262). */
export function companyObject(g: Gen, m: CompanyModel, userCount: number, segmentsById: Map<string, Obj>): Obj {
  return {
    ...m.obj,
    user_count: userCount,
    tags: {
      type: 'tag.list',
      tags: m.tagIds.map((id) => ({ type: 'tag', id, name: tagName(Number(id) - Number(tagId(0))) })),
    },
    segments: {
      type: 'segment.list',
      segments: m.segmentIds.map((id) => segmentsById.get(id)).filter((s): s is Obj => s !== undefined),
    },
  };
}
