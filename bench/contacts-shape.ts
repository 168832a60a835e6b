/**
 * Contacts-shaped records for the Arrow and DuckDB benchmarks: ~35 top-level fields like
 * Intercom's contact object, a custom_attributes object and nested tags/companies lists.
 * Deterministic (no Math.random) so runs compare.
 */
import type { ColumnDef, Row } from '../src/core/schema.js';

/** The columns a contacts table would declare (the rest evolve). */
export const CONTACT_COLUMNS: ColumnDef[] = [
  { name: 'id', type: 'string' },
  { name: 'type', type: 'string' },
  { name: 'workspace_id', type: 'string' },
  { name: 'external_id', type: 'string' },
  { name: 'role', type: 'string' },
  { name: 'email', type: 'string' },
  { name: 'email_domain', type: 'string' },
  { name: 'phone', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'owner_id', type: 'int64' },
  { name: 'has_hard_bounced', type: 'bool' },
  { name: 'marked_email_as_spam', type: 'bool' },
  { name: 'unsubscribed_from_emails', type: 'bool' },
  { name: 'created_at', type: 'timestamp' },
  { name: 'updated_at', type: 'timestamp' },
  { name: 'signed_up_at', type: 'timestamp' },
  { name: 'last_seen_at', type: 'timestamp' },
  { name: 'last_replied_at', type: 'timestamp' },
  { name: 'last_contacted_at', type: 'timestamp' },
  { name: 'browser', type: 'string' },
  { name: 'browser_version', type: 'string' },
  { name: 'os', type: 'string' },
  { name: 'location', type: 'json' },
  { name: 'custom_attributes', type: 'json' },
  { name: 'tags', type: 'json' },
  { name: 'companies', type: 'json' },
];

const BROWSERS = ['chrome', 'firefox', 'safari', 'edge'];
const CITIES = ['Dublin', 'London', 'San Francisco', 'Sydney', 'Zürich', 'São Paulo'];

/** The i-th contact; `updated_at` grows with i (an incremental read's order). */
export function contact(i: number, base = 1_700_000_000): Row {
  const created = base - 86_400 * 30 + (i % 86_400);
  const updated = base + Math.floor(i / 3);
  return {
    type: 'contact',
    id: `6${(0x5f0000000000 + i).toString(16)}`,
    workspace_id: 'ecahpwf5',
    external_id: i % 4 === 0 ? null : `ext-${i}`,
    role: i % 5 === 0 ? 'lead' : 'user',
    email: `person${i}@example${i % 97}.com`,
    email_domain: `example${i % 97}.com`,
    phone: i % 3 === 0 ? `+35387${String(i).padStart(7, '0')}` : null,
    formatted_phone: i % 3 === 0 ? `+353 87 ${String(i).padStart(7, '0')}` : null,
    name: `Person ${i} O'Brien`,
    avatar: null,
    owner_id: i % 7 === 0 ? null : 1000 + (i % 13),
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: i % 101 === 0,
    marked_email_as_spam: false,
    unsubscribed_from_emails: i % 11 === 0,
    created_at: created,
    updated_at: updated,
    signed_up_at: i % 5 === 0 ? null : created + 60,
    last_seen_at: updated - 120,
    last_replied_at: i % 2 === 0 ? updated - 3600 : null,
    last_contacted_at: i % 2 === 1 ? updated - 7200 : null,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: BROWSERS[i % 4],
    browser_version: `${100 + (i % 20)}.0.0`,
    browser_language: 'en',
    os: i % 2 === 0 ? 'OS X 14.1' : 'Windows 11',
    location: { type: 'location', country: 'Ireland', region: 'Dublin', city: CITIES[i % 6], country_code: 'IRL', continent_code: 'EU' },
    android_app_name: null,
    android_last_seen_at: null,
    ios_app_name: null,
    ios_last_seen_at: null,
    custom_attributes: { plan: i % 3 === 0 ? 'pro' : 'free', seats: i % 50, 'Signup Source': 'web', churn_risk: (i % 100) / 100 },
    tags: {
      type: 'list',
      data: i % 2 === 0 ? [{ type: 'tag', id: String(100 + (i % 9)), url: `/tags/${100 + (i % 9)}` }] : [],
      url: `/contacts/${i}/tags`,
      total_count: i % 2 === 0 ? 1 : 0,
      has_more: false,
    },
    notes: { type: 'list', data: [], url: `/contacts/${i}/notes`, total_count: 0, has_more: false },
    companies: {
      type: 'list',
      data: [{ type: 'company', id: `c${i % 500}`, url: `/companies/c${i % 500}` }],
      url: `/contacts/${i}/companies`,
      total_count: 1,
      has_more: false,
    },
    opted_out_subscription_types: { type: 'list', data: [], url: '', total_count: 0, has_more: false },
    utm_source: i % 4 === 0 ? 'newsletter' : null,
    referrer: null,
    sms_consent: false,
  };
}

/** Pages of `pageSize` contacts, `total` in all, generated lazily (bounded memory). */
export function* contactPages(total: number, pageSize = 150): Generator<Row[]> {
  for (let start = 0; start < total; start += pageSize) {
    const page: Row[] = [];
    for (let i = start; i < Math.min(total, start + pageSize); i++) page.push(contact(i));
    yield page;
  }
}
