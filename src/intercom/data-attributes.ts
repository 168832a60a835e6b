/**
 * The data attributes of a table's custom attributes, read before a run that types them into
 * columns (`custom_attribute_columns: true`, src/transforms/custom-attributes.ts). The table
 * declares its model (`TableSpec.customAttributes`).
 */
import { unexpected } from './pagination/envelope.js';
import type { CustomAttributeModel } from './tables/spec.js';
import type { IntercomClient, IntercomRequest } from './types.js';
import { atLeast } from './versions.js';

/** A data attribute (or 2.16 conversation attribute): the fields typed columns need. */
export interface DataAttribute {
  name: string;
  data_type: string;
  custom: boolean;
  archived: boolean;
}

/**
 * A model's data attributes as Intercom lists them, archived included (an archived attribute
 * still holds values, and its column should not vanish from one run to the next).
 * 2.16 answers 422 for `model=conversation`; conversation attributes come from
 * `GET /conversations/attributes`, whose items are all custom (2.16:L13615+, notes §3.11).
 */
export async function fetchDataAttributes(client: IntercomClient, apiVersion: string, model: CustomAttributeModel): Promise<DataAttribute[]> {
  const v216 = model === 'conversation' && atLeast(apiVersion, '2.16');
  const req: IntercomRequest = v216
    ? { method: 'GET', path: '/conversations/attributes', query: { include_archived: true } }
    : { method: 'GET', path: '/data_attributes', query: { model, include_archived: true } };
  const res = await client.request<{ data?: unknown }>(req);
  const data = res.body?.data;
  if (!Array.isArray(data)) throw unexpected(req, "no 'data' list");
  const out: DataAttribute[] = [];
  for (const item of data as Array<Record<string, unknown>>) {
    if (typeof item?.name !== 'string' || typeof item.data_type !== 'string') continue;
    out.push({ name: item.name, data_type: item.data_type, custom: v216 ? true : item.custom === true, archived: item.archived === true });
  }
  return out;
}
