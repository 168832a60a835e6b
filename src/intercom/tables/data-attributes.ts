import type { Row } from '../../core/schema.js';
import type { ExtractContext, Page, TableSpec } from './spec.js';
import { columns, listOf, getProbe, PERMISSIONS } from './common.js';
import { atLeast } from '../versions.js';

const MODELS = ['contact', 'company', 'conversation'] as const;

async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  const rows: Row[] = [];
  for (const model of MODELS) {
    // 2.16 answers 422 for model=conversation and moved conversation attributes to
    // GET /conversations/attributes (2.16:L13615+, notes §3.11).
    const conversation216 = model === 'conversation' && atLeast(ctx.apiVersion, '2.16');
    const path = conversation216 ? '/conversations/attributes' : '/data_attributes';
    const res = await ctx.client.request<unknown>({ method: 'GET', path, query: conversation216 ? undefined : { model, include_archived: true } });
    for (const attr of listOf(res.body, 'data', path)) {
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
  endpoint: 'GET /data_attributes?model=contact|company|conversation (2.16: GET /conversations/attributes)',
  probe: getProbe('/data_attributes', PERMISSIONS.dataAttributes, { model: 'contact' }),
  pagination: 'none',
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
