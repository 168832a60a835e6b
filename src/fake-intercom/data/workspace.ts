/** Small workspace tables, generated eagerly: admins, teams, tags, segments, data attributes. */
import { STREAM, hex, hash32, int, pick, rng } from '../prng.js';
import type { Obj } from '../types.js';
import type { Gen } from './context.js';
import { ADMIN_ID_BASE, ATTR_ID_BASE, TAG_ID_BASE, TEAM_ID_BASE } from './ids.js';
import { COMPANY_ATTRS, COMPANY_STANDARD, CONTACT_ATTRS, CONTACT_STANDARD, CONVERSATION_ATTRS, FIRST, LAST, TAG_NAMES, type AttrDef } from './names.js';

export function adminId(i: number): number {
  return ADMIN_ID_BASE + i;
}

export function teamIdsOfAdmin(g: Gen, i: number): number[] {
  const nTeams = g.counts.teams;
  return nTeams === 0 ? [] : [TEAM_ID_BASE + (i % nTeams)];
}

/** Canonical admin (2.14 `admin`, 2.14:L14925); versions.renderAdmin adapts the avatar/role. */
export function admins(g: Gen): Obj[] {
  return Array.from({ length: g.counts.admins }, (_, i) => {
    const r = rng(g.seed, STREAM.admin, i);
    const name = `${pick(r, FIRST)} ${pick(r, LAST)}`;
    return {
      type: 'admin',
      id: String(adminId(i)),
      name,
      email: `admin${i}@${g.appId}.example.com`,
      job_title: pick(r, ['Support Engineer', 'Head of Support', 'Account Manager', 'Founder']),
      away_mode_enabled: r() < 0.1,
      away_mode_reassign: false,
      away_status_reason_id: null,
      has_inbox_seat: i % 5 !== 4,
      team_ids: teamIdsOfAdmin(g, i),
      avatar: `https://static.intercomassets.test/avatars/${adminId(i)}/square_128/a.png`,
      team_priority_level: { primary_team_ids: teamIdsOfAdmin(g, i), secondary_team_ids: [] },
      role: { type: 'role', id: String(100 + (i % 3)), name: pick(r, ['Admin', 'Teammate', 'Owner']) },
    };
  });
}

export function me(g: Gen): Obj {
  const first = admins({ ...g, counts: { ...g.counts, admins: Math.max(1, g.counts.admins) } })[0] as Obj;
  return {
    ...first,
    email_verified: true,
    app: {
      type: 'app',
      id_code: g.appId,
      name: 'Fake Intercom Workspace',
      region: 'US',
      // Contacts search day boundaries use this zone (2.14:L5773-5791).
      timezone: g.timezone,
      created_at: g.now0 - 3 * 365 * 86400,
      identity_verification: false,
    },
  };
}

export function teams(g: Gen): Obj[] {
  return Array.from({ length: g.counts.teams }, (_, j) => {
    const adminIds: number[] = [];
    for (let i = 0; i < g.counts.admins; i++) if (i % g.counts.teams === j) adminIds.push(adminId(i));
    return {
      type: 'team',
      id: String(TEAM_ID_BASE + j),
      name: ['Support', 'Sales', 'Billing', 'Success', 'Tier 2'][j % 5] + (j >= 5 ? ` ${j}` : ''),
      admin_ids: adminIds,
      admin_priority_level: { primary_admin_ids: adminIds, secondary_admin_ids: [] },
      assignment_limit: j % 2 === 0 ? 20 : null,
      distribution_method: j % 2 === 0 ? 'round_robin' : null,
    };
  });
}

export function tagId(k: number): string {
  return String(TAG_ID_BASE + k);
}

export function tagName(k: number): string {
  const base = TAG_NAMES[k % TAG_NAMES.length] as string;
  return k < TAG_NAMES.length ? base : `${base} ${Math.floor(k / TAG_NAMES.length)}`;
}

export function tags(g: Gen): Obj[] {
  return Array.from({ length: g.counts.tags }, (_, k) => ({ type: 'tag', id: tagId(k), name: tagName(k) }));
}

export function segmentId(g: Gen, k: number): string {
  return hex(g.now0 - 400 * 86400 + k * 3600, 8) + hex(hash32(g.seed, STREAM.segment), 8) + hex(k, 8);
}

/** `segment` (2.14:L21504); `count` only with include_count=true. */
export function segments(g: Gen): Obj[] {
  return Array.from({ length: g.counts.segments }, (_, k) => {
    const created = g.now0 - 400 * 86400 + k * 3600;
    return {
      type: 'segment',
      id: segmentId(g, k),
      name: ['Active users', 'New leads', 'Churned', 'Slipping away', 'VIPs', 'Trialists'][k % 6] + (k >= 6 ? ` ${k}` : ''),
      created_at: created,
      updated_at: created + int(rng(g.seed, STREAM.segment, k), 0, 300 * 86400),
      person_type: k % 3 === 1 ? 'contact' : 'user',
    };
  });
}

function attr(g: Gen, model: string, d: AttrDef, k: number, custom: boolean): Obj {
  const created = g.now0 - 500 * 86400 + k * 86400;
  const out: Obj = {
    type: 'data_attribute',
    model,
    name: d.name,
    full_name: custom ? `custom_attributes.${d.name}` : d.name,
    label: d.name,
    description: custom ? `Custom attribute ${d.name}` : `Standard attribute ${d.name}`,
    data_type: d.data_type,
    api_writable: custom,
    messenger_writable: false,
    ui_writable: custom,
    custom,
    archived: false,
  };
  if (custom) {
    // id is present on custom attributes only (2.14:L19209).
    out.id = ATTR_ID_BASE + k + (model === 'company' ? 100 : model === 'conversation' ? 200 : 0);
    out.created_at = created;
    out.updated_at = created + 86400;
    out.admin_id = String(adminId(0));
  }
  if (d.options) out.options = d.options;
  return out;
}

/**
 * A custom attribute made by POST /data_attributes (2.14 `create_data_attribute_request`): the
 * request's `options` data type is answered as a `string` with its option values, `datetime` as
 * `date` (the `data_attribute` schema's data_type enum); `n` numbers the created attributes.
 */
export function createdDataAttribute(
  model: 'contact' | 'company',
  name: string,
  dataType: string,
  options: string[] | undefined,
  description: string | undefined,
  messengerWritable: boolean,
  n: number,
  now: number,
): Obj {
  const out: Obj = {
    type: 'data_attribute',
    model,
    name,
    full_name: `custom_attributes.${name}`,
    label: name,
    description: description ?? '',
    data_type: dataType === 'options' ? 'string' : dataType === 'datetime' ? 'date' : dataType,
    api_writable: true,
    messenger_writable: messengerWritable,
    ui_writable: true,
    custom: true,
    archived: false,
    id: ATTR_ID_BASE + 1000 + n,
    created_at: now,
    updated_at: now,
    admin_id: String(adminId(0)),
  };
  if (options) out.options = options;
  return out;
}

export function dataAttributes(g: Gen, model: 'contact' | 'company' | 'conversation'): Obj[] {
  const std = model === 'contact' ? CONTACT_STANDARD : model === 'company' ? COMPANY_STANDARD : [];
  const custom = model === 'contact' ? CONTACT_ATTRS : model === 'company' ? COMPANY_ATTRS : CONVERSATION_ATTRS;
  return [...std.map((d, k) => attr(g, model, d, k, false)), ...custom.map((d, k) => attr(g, model, d, k, true))];
}

/** 2.16 `GET /conversations/attributes` items (`conversation_attribute`, 2.16:L14654-14690). */
export function conversationAttributes(g: Gen): Obj[] {
  const typeMap: Record<string, string> = { string: 'string', integer: 'integer', float: 'decimal', boolean: 'boolean', date: 'datetime' };
  return CONVERSATION_ATTRS.map((d, k) => {
    const created = g.now0 - 500 * 86400 + k * 86400;
    const out: Obj = {
      type: 'conversation_attribute',
      id: ATTR_ID_BASE + 200 + k,
      name: d.name,
      description: `Conversation attribute ${d.name}`,
      data_type: typeMap[d.data_type],
      required: false,
      visible_to_team_ids: [],
      archived: false,
      created_at: created,
      updated_at: created + 86400,
      admin_id: String(adminId(0)),
    };
    if (d.data_type === 'string') out.multiline = false;
    return out;
  });
}
