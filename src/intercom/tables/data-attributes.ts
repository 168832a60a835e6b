import type { Row } from '../../core/schema.js';
import type { ExtractContext, ListRequest, Page, TableSpec } from './spec.js';
import { columns, listOf, probeOf, PERMISSIONS, requestOf } from './common.js';
import { atLeast } from '../versions.js';

const MODELS = ['contact', 'company', 'conversation'] as const;

const BY_MODEL: ListRequest = {
  method: 'GET',
  path: '/data_attributes',
  query: { include_archived: true },
  pagination: 'none',
  recordsKey: 'data',
  when: `once per model (model=${MODELS.join(', ')}); conversation up to api_version 2.15`,
};
const CONVERSATION_ATTRIBUTES: ListRequest = {
  method: 'GET',
  path: '/conversations/attributes',
  pagination: 'none',
  recordsKey: 'data',
  when: 'api_version 2.16 and later, for the conversation attributes',
};

async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  const rows: Row[] = [];
  for (const model of MODELS) {
    // 2.16 answers 422 for model=conversation and moved conversation attributes to
    // GET /conversations/attributes (2.16:L13615+, notes §3.11).
    const conversation216 = model === 'conversation' && atLeast(ctx.apiVersion, '2.16');
    const r = conversation216 ? CONVERSATION_ATTRIBUTES : BY_MODEL;
    const req = requestOf(r, conversation216 ? {} : { query: { model } });
    const res = await ctx.client.request<unknown>(req);
    for (const attr of listOf(req, res.body, r.recordsKey)) {
      const full = (attr.full_name as string | undefined) ?? (conversation216 ? `custom_attributes.${String(attr.name)}` : undefined);
      rows.push({ ...attr, model, full_name: full });
    }
  }
  yield { rows: { data_attributes: rows } };
}

/** Contact, company and conversation attributes (standard and custom) in one table, keyed (model, name). */
export const dataAttributes = {
  name: 'data_attributes',
  description: 'Data attributes of contacts, companies and conversations (standard and custom, archived included).',
  requests: [BY_MODEL, CONVERSATION_ATTRIBUTES],
  probe: probeOf(BY_MODEL, PERMISSIONS.dataAttributes, { model: 'contact' }),
  primaryKey: ['model', 'name'],
  defaultStrategy: 'replace',
  columns: columns({
    model: 'string',
    name: 'string',
    id: 'int64',
    type: 'string',
    full_name: 'string',
    label: 'string',
    description: 'string',
    data_type: 'string',
    options: 'json',
    api_writable: 'bool',
    messenger_writable: 'bool',
    ui_writable: 'bool',
    custom: 'bool',
    archived: 'bool',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    admin_id: 'string',
  }),
  extract,
} satisfies TableSpec;
