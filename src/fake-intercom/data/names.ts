/** Word lists and the custom attribute catalogue (with deliberately hostile names). */

export const FIRST = [
  'Ada',
  'Grace',
  'Linus',
  'Zoë',
  'José',
  'Ólafur',
  'Anaïs',
  'Björk',
  'Chidi',
  'Mei',
  'Søren',
  'Priya',
  "Conan O'Brien",
  'Renée',
  'Łukasz',
  '李',
  'Muhammad',
  'Ana-María',
  'Kai',
  'Fatima',
] as const;
export const LAST = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Müller',
  'García',
  'Núñez',
  'Smith',
  'Nguyễn',
  'Østergaard',
  'Kowalski',
  'Okafor',
  'Tanaka',
  'Van der Berg',
  '王',
  'Dubois',
  "D'Angelo",
  'Al-Sayed',
  'Ivanova',
  'Hernández',
  'Brown',
] as const;
export const DOMAINS = ['example.com', 'example.org', 'acme.test', 'globex.test', 'initech.test', 'umbrella.test'] as const;
export const COUNTRIES = [
  ['United States', 'US', 'NA', 'California', 'San Francisco'],
  ['Ireland', 'IE', 'EU', 'Dublin', 'Dublin'],
  ['Germany', 'DE', 'EU', 'Berlin', 'Berlin'],
  ['Japan', 'JP', 'AS', 'Tokyo', 'Tokyo'],
  ['Brazil', 'BR', 'SA', 'São Paulo', 'São Paulo'],
  ['Australia', 'AU', 'OC', 'New South Wales', 'Sydney'],
] as const;
export const BROWSERS = ['chrome', 'firefox', 'safari', 'edge'] as const;
export const OSES = ['OS X 14.1', 'Windows 11', 'Ubuntu 24.04', 'iOS 17.2', 'Android 14'] as const;
export const INDUSTRIES = ['Software', 'Retail', 'Finance', 'Healthcare', 'Education', 'Manufacturing'] as const;
export const PLANS = ['Starter', 'Pro', 'Enterprise'] as const;
export const WORDS = [
  'billing',
  'invoice',
  'login',
  'export',
  'refund',
  'upgrade',
  'bug',
  'support',
  'question',
  'feature',
  'password',
  'integration',
  'webhook',
  'API',
  'slow',
  'error',
] as const;
export const TAG_NAMES = [
  'vip',
  'churn-risk',
  'beta',
  'enterprise',
  'billing',
  'bug',
  'feature-request',
  'onboarding',
  'Ünïcødé tag',
  'tag "quoted"',
  'tag; semicolon',
  'partner',
  'trial',
  'renewal',
  'nps-detractor',
  'nps-promoter',
  'EU',
  'US',
  'APAC',
  'priority',
] as const;

export type DataType = 'string' | 'integer' | 'float' | 'boolean' | 'date';

export interface AttrDef {
  name: string;
  data_type: DataType;
  options?: string[];
}

/**
 * Contact custom attributes: one of every data type (2.14:L19209 data_type enum), plus names
 * a warehouse must quote: quotes, semicolons, unicode, a 300-character name, and two names
 * differing only in case.
 */
export const CONTACT_ATTRS: AttrDef[] = [
  { name: 'plan_tier', data_type: 'string', options: ['free', 'pro', 'enterprise'] },
  { name: 'seats', data_type: 'integer' },
  { name: 'mrr', data_type: 'float' },
  { name: 'is_vip', data_type: 'boolean' },
  { name: 'trial_ends_at', data_type: 'date' },
  { name: 'Account_Name', data_type: 'string' },
  { name: 'account_name', data_type: 'string' },
  { name: 'say "hello"', data_type: 'string' },
  { name: "it's; DROP TABLE contacts; --", data_type: 'string' },
  { name: 'préférence_名前_🚀', data_type: 'integer' },
  { name: `long_${'x'.repeat(295)}`, data_type: 'boolean' },
];

export const COMPANY_ATTRS: AttrDef[] = [
  { name: 'industry_code', data_type: 'string' },
  { name: 'employees', data_type: 'integer' },
  { name: 'arr', data_type: 'float' },
  { name: 'churned', data_type: 'boolean' },
  { name: 'renewal_date', data_type: 'date' },
  { name: 'Region', data_type: 'string' },
  { name: 'region', data_type: 'string' },
  { name: 'notes; "misc"', data_type: 'string' },
];

/**
 * Conversation attributes: values are string | integer | datetime per the schema
 * (`custom_attributes`, 2.14:L19071-19092), so no float/boolean ones here.
 */
export const CONVERSATION_ATTRS: AttrDef[] = [
  { name: 'order_number', data_type: 'string' },
  { name: 'refund_amount_cents', data_type: 'integer' },
  { name: 'Escalation level', data_type: 'string', options: ['none', 'tier 2', 'engineering'] },
  { name: 'items_count', data_type: 'integer' },
  { name: 'follow_up_on', data_type: 'date' },
];

/** Built-in contact attributes listed by GET /data_attributes (custom: false, no id). */
export const CONTACT_STANDARD: AttrDef[] = [
  { name: 'name', data_type: 'string' },
  { name: 'email', data_type: 'string' },
  { name: 'phone', data_type: 'string' },
  { name: 'created_at', data_type: 'date' },
  { name: 'updated_at', data_type: 'date' },
  { name: 'signed_up_at', data_type: 'date' },
  { name: 'last_seen_at', data_type: 'date' },
  { name: 'owner_id', data_type: 'integer' },
  { name: 'unsubscribed_from_emails', data_type: 'boolean' },
];

export const COMPANY_STANDARD: AttrDef[] = [
  { name: 'name', data_type: 'string' },
  { name: 'company_id', data_type: 'string' },
  { name: 'created_at', data_type: 'date' },
  { name: 'monthly_spend', data_type: 'float' },
  { name: 'size', data_type: 'integer' },
  { name: 'user_count', data_type: 'integer' },
];
