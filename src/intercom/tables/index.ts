/** The table registry: every Intercom table intercom-elt can read. */
import type { TableSpec } from './spec.js';
import { activityLogs } from './activity-logs.js';
import { admins } from './admins.js';
import { articles } from './articles.js';
import { companies } from './companies.js';
import { companySegments } from './company-segments.js';
import { contacts } from './contacts.js';
import { conversations } from './conversations.js';
import { dataAttributes } from './data-attributes.js';
import { helpCenterCollections } from './help-center-collections.js';
import { newsItems } from './news-items.js';
import { segments } from './segments.js';
import { tags } from './tags.js';
import { teams } from './teams.js';
import { tickets } from './tickets.js';

export const tables: readonly TableSpec[] = [
  admins,
  teams,
  tags,
  segments,
  dataAttributes,
  contacts,
  conversations,
  articles,
  companies,
  companySegments,
  tickets,
  helpCenterCollections,
  newsItems,
  activityLogs,
];

const byName = new Map(tables.map((t) => [t.name, t]));

export function getTable(name: string): TableSpec | undefined {
  return byName.get(name);
}

/** The catalogue the config loader validates assets against. */
export const tableCatalog = {
  names: (): string[] => [...byName.keys()],
  defaults: (name: string) => {
    const t = byName.get(name);
    return (
      t && {
        primaryKey: t.primaryKey,
        incrementalKey: t.incrementalKey,
        strategy: t.defaultStrategy,
        columns: t.columns.map((c) => c.name),
        columnTypes: Object.fromEntries(t.columns.map((c) => [c.name, c.type])),
      }
    );
  },
};
