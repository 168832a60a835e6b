/**
 * The declaration every Intercom table file exports (STYLE.md, "from Airbyte's declarative
 * manifests"): plain typed data plus only the code a table really needs.
 */
import type { ColumnDef, Row, SoftDeletes, Strategy, Window } from '../../core/schema.js';
import type { IntercomClient, IntercomRequest } from '../types.js';
import type { Pagination } from '../pagination/paginate.js';

export type { Pagination };

/** The Intercom model whose data attributes describe a table's `custom_attributes`. */
export type CustomAttributeModel = 'contact' | 'company' | 'conversation';

/** What the pipeline hands a table's extractor. */
export interface ExtractContext {
  client: IntercomClient;
  apiVersion: string;
  /** Workspace IANA time zone from GET /me (contacts search matches whole days in it). */
  timezone: string;
  /** Incremental window; undefined for a full read (replace tables, first full refresh). */
  window?: Window;
  /** Resume token of an interrupted run (from the last checkpoint), as the extractor yielded it. */
  resume?: unknown;
  /** Bounded concurrency for fan-out requests (conversation parts, company segments). */
  concurrency: number;
  /** Time slices of the window read at once by search tables (1 = one cursor chain); also pages read at once by page-number lists. */
  slices?: number;
  /** Counts surfaced in the run summary (e.g. parts_truncated). */
  count(name: string, n?: number): void;
  /** How many records the read will reach, when the API says so (a search's `total_count`); progress shows it. */
  total?(n: number): void;
  signal?: AbortSignal;
}

/** One unit of extracted data: rows per destination table, and where to resume after it. */
export interface Page {
  /** Rows keyed by table name: the asset's own table and any child tables it feeds. */
  rows: Record<string, Row[]>;
  /** Opaque resume token valid after this page (page cursor, page number…); JSON-safe. */
  resume?: unknown;
  /** Child-table keys to replace: parents whose child rows are rewritten (delete by parent key, then insert). */
  replaceChildren?: Record<string, { parentKey: string[]; parents: unknown[][] }>;
  /** Soft deletes: set `_elt_deleted_at` on existing rows matching these keys (rows stay, so models can filter). */
  deletes?: Record<string, SoftDeletes>;
}

/** A child table fed by a parent's extraction and committed in the same transaction. */
export interface ChildTableSpec {
  name: string;
  primaryKey: string[];
  /** Columns that name the parent (e.g. conversation_id): child rows are replaced per parent. */
  parentKey: string[];
  columns: ColumnDef[];
}

/**
 * One request a table's read sends, declared once: `extract` sends it through the shared helpers
 * (common.ts, pagination/, read/) and the docs, `list` and `check` show it, so they cannot disagree.
 */
export interface TableRequest {
  method: IntercomRequest['method'];
  /** `{id}` stands for the id of a record the read found before (`GET /conversations/{id}`). */
  path: string;
  /** Query parameters every such request carries; the read adds its window's and its pages' own. */
  query?: Readonly<Record<string, string | number | boolean>>;
  pagination: Pagination;
  /** The envelope's list key ('data', 'conversations', …); unset when the answer is one record. */
  recordsKey?: string;
  /** When the read sends it, if not once every run (shown in the docs). */
  when?: string;
}

/** A declared request answered with a list (`recordsKey`): what the list and page readers take. */
export type ListRequest = TableRequest & { recordsKey: string };

/**
 * How `check` proves a token may read a table before a sync: the cheapest request the table's
 * read depends on (at most one record) and the app permission it needs, named as Intercom's
 * Developer Hub shows it (app > Configure > Authentication).
 */
export interface TableProbe {
  request: IntercomRequest;
  permission: string;
}

/** The declaration of one Intercom table. */
export interface TableSpec {
  name: string;
  description: string;
  /** Every request the read sends (`extract` builds them from here; docs and `list` show them). */
  requests: readonly TableRequest[];
  /** The request `check` sends for this table (built from one of `requests`). */
  probe: TableProbe;
  primaryKey: string[];
  /** Field the incremental window applies to (unix seconds), if the table is incremental. */
  incrementalKey?: string;
  defaultStrategy: Strategy;
  /** Declared columns; fields Intercom adds later are added by schema evolution. */
  columns: ColumnDef[];
  /** API versions the table works on (undefined = all). */
  minVersion?: string;
  /** Default lookback, seconds (re-read this much before the cursor). */
  lookbackSeconds?: number;
  /** Default settle lag, seconds (the upper bound is frozen at run start minus this). */
  settleSeconds?: number;
  children?: ChildTableSpec[];
  /** Columns naming a parent whose rows this table replaces as a set (Page.replaceChildren on the table itself). */
  parentKey?: string[];
  /** The model of the table's `custom_attributes`: `custom_attribute_columns: true` types them into columns. */
  customAttributes?: CustomAttributeModel;
  /** Read the table. Yields pages; the pipeline checkpoints between pages. */
  extract(ctx: ExtractContext): AsyncIterable<Page>;
}
