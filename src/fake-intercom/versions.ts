/**
 * Intercom-Version handling. Records are stored in one canonical shape (close to 2.14) and
 * rendered per requested version here, following the shape changes of notes §5.
 */
import { HttpError, type Obj } from './types.js';

export type Version = { raw: string; major: number; minor: number; preview: boolean };

/** Versions this fake accepts in the `Intercom-Version` header (enum of 2.14:L20772-20798, plus 2.15/2.16). */
const KNOWN = new Set([
  '1.0',
  '1.1',
  '1.2',
  '1.3',
  '1.4',
  '2.0',
  '2.1',
  '2.2',
  '2.3',
  '2.4',
  '2.5',
  '2.6',
  '2.7',
  '2.8',
  '2.9',
  '2.10',
  '2.11',
  '2.12',
  '2.13',
  '2.14',
  '2.15',
  '2.16',
  'Preview',
]);

export function parseVersion(raw: string | undefined, def: string): Version {
  const v = (raw ?? def).trim() || def;
  const known = parsed.get(v);
  if (known) return { ...known }; // a copy: callers own their Version
  if (!KNOWN.has(v)) {
    throw new HttpError(400, 'intercom_version_invalid', `Requested version ${v} is not a valid Intercom API version.`);
  }
  let out: Version;
  if (v === 'Preview') out = { raw: v, major: 2, minor: 99, preview: true };
  else {
    const [a, b] = v.split('.').map(Number) as [number, number];
    out = { raw: v, major: a, minor: b, preview: false };
  }
  parsed.set(v, out);
  return { ...out };
}

/** Versions parsed so far (a header is parsed on every request; at most the KNOWN ones are kept). */
const parsed = new Map<string, Version>();

/** v >= "2.12" etc. (numeric per component, so 2.9 < 2.10). */
export function atLeast(v: Version, spec: string): boolean {
  let ab = specs.get(spec);
  if (!ab) specs.set(spec, (ab = spec.split('.').map(Number) as [number, number]));
  const [a, b] = ab;
  return v.major > a || (v.major === a && v.minor >= b);
}

/** Parsed version specs: atLeast runs per part of every conversation served (hot). */
const specs = new Map<string, [number, number]>();

/** Resource not available in this version (example on GET /conversations/deleted, 2.16:L13521+). */
export function versionInvalid(): HttpError {
  return new HttpError(400, 'intercom_version_invalid', 'Requested resource is not available in current API version.');
}

/** contact: owner_id integer → string in 2.16; formatted_phone only ≤2.11 (notes §5). Mutates `c`, which must be a fresh object (World.contactObj). */
export function renderContact(c: Obj, v: Version): Obj {
  const out = c;
  if (atLeast(v, '2.16')) out.owner_id = c.owner_id === null || c.owner_id === undefined ? null : String(c.owner_id);
  // Added rather than deleted: `delete` drops V8's fast object shape on the hot path.
  if (!atLeast(v, '2.12')) out.formatted_phone = c.phone ?? null;
  return out;
}

/**
 * admin: `avatar` is an object `{type:'avatar', image_url}` in 2.11 and, in every version, on
 * GET /me (its examples) and GET /admins/{id} (a third-party all-fields test against the real
 * 2.12 API expects the object there; the 2.12+ schema says a URI string — docs/fake-intercom.md
 * "Evidence"); a URI string from 2.12 in GET /admins. 2.16 adds `role`.
 */
export function renderAdmin(a: Obj, v: Version, as: 'list' | 'single' | 'me' = 'list'): Obj {
  const out: Obj = { ...a };
  const url = a.avatar as string | null;
  const forMe = as === 'me';
  if (as !== 'list' || !atLeast(v, '2.12')) out.avatar = { type: 'avatar', image_url: url };
  if (!atLeast(v, '2.14')) delete out.away_status_reason_id;
  if (!atLeast(v, '2.16')) delete out.role;
  if (forMe) delete out.team_priority_level;
  return out;
}

export function renderTeam(t: Obj, v: Version): Obj {
  const out: Obj = { ...t };
  if (!atLeast(v, '2.14')) {
    delete out.assignment_limit;
    delete out.distribution_method;
  }
  return out;
}

/**
 * conversation: priority enum `priority|not_priority` (≤2.15) → `none|low|medium|high|urgent`
 * (2.16); assignee ids nullable (≤2.15) → 0 when unassigned (2.16); 2.11 has no
 * `linked_objects`/`ai_agent`-era fields removed — kept (the 2.11 schema allows them).
 */
export function renderConversation(c: Obj, v: Version): Obj {
  const out: Obj = { ...c };
  if (atLeast(v, '2.16')) {
    out.priority = c.priority === 'priority' ? 'high' : 'none';
    out.admin_assignee_id = c.admin_assignee_id ?? 0;
    out.team_assignee_id = c.team_assignee_id ?? 0;
  }
  const parts = c.conversation_parts as Obj | undefined;
  if (parts) {
    out.conversation_parts = {
      ...parts,
      conversation_parts: (parts.conversation_parts as Obj[]).map((p) => renderPart(p, v)),
    };
  }
  return out;
}

/** parts gained state/tags/event_details/email_message_metadata/app_package_code in 2.13, metadata and author AI flags in 2.14. */
export function renderPart(p: Obj, v: Version): Obj {
  const out: Obj = { ...p };
  if (!atLeast(v, '2.13')) {
    for (const k of ['state', 'tags', 'event_details', 'email_message_metadata', 'app_package_code']) delete out[k];
  }
  if (!atLeast(v, '2.14')) {
    delete out.metadata;
    const author = { ...(p.author as Obj) };
    delete author.from_ai_agent;
    delete author.is_ai_answer;
    out.author = author;
  }
  return out;
}

/**
 * ticket: `ticket_state` a string plus `ticket_state_internal_label`/`_external_label` in
 * 2.11 (2.11:L18007+), an object from 2.12; assignee ids strings ("0" when unassigned) ≤2.15,
 * integers in 2.16.
 */
export function renderTicket(t: Obj, v: Version): Obj {
  const out: Obj = { ...t };
  const state = t.ticket_state as Obj;
  if (!atLeast(v, '2.12')) {
    out.ticket_state = state.category;
    out.ticket_state_internal_label = state.internal_label;
    out.ticket_state_external_label = state.external_label;
  }
  if (atLeast(v, '2.16')) {
    out.admin_assignee_id = Number(t.admin_assignee_id ?? 0);
    out.team_assignee_id = Number(t.team_assignee_id ?? 0);
  } else {
    out.admin_assignee_id = String(t.admin_assignee_id ?? 0);
    out.team_assignee_id = String(t.team_assignee_id ?? 0);
  }
  return out;
}

/** article list items: 2.16 drops parent_id/parent_type and adds drafts/AI flags (notes §3.12). */
export function renderArticle(a: Obj, v: Version): Obj {
  const out: Obj = { ...a };
  if (atLeast(v, '2.16')) {
    delete out.parent_id;
    delete out.parent_type;
    out.has_unpublished_changes = false;
    out.ai_chatbot_availability = true;
    out.ai_copilot_availability = true;
    out.ai_sales_agent_availability = false;
    out.exclude_from_article_suggestions = false;
  }
  return out;
}
