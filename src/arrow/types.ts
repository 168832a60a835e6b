/**
 * Column types <-> Arrow types, and type inference for fields Intercom adds later
 * (schema evolution). Destinations read a batch's column types back with `columnTypeOf`.
 */
import { Bool, DataType, Field, Float64, Int64, TimeUnit, Timestamp, Utf8 } from 'apache-arrow';
import type { ColumnType } from '../core/schema.js';

/** Field metadata key that tells a destination a Utf8 column holds JSON text. */
export const ELT_TYPE_META = 'elt:type';

/** The Arrow type of a column type. Timestamps are microseconds in UTC (what DuckDB, Postgres and Snowflake store). */
export function arrowType(type: ColumnType): DataType {
  switch (type) {
    case 'string':
    case 'json':
      return new Utf8();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'timestamp':
      return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
  }
}

/** The nullable Arrow field of a column; JSON columns are Utf8 marked `{"elt:type":"json"}`. */
export function arrowField(name: string, type: ColumnType): Field {
  const metadata = type === 'json' ? new Map([[ELT_TYPE_META, 'json']]) : undefined;
  return new Field(name, arrowType(type), true, metadata);
}

/** The column type of an Arrow field built by BatchBuilder (unknown Arrow types read as string). */
export function columnTypeOf(field: Field): ColumnType {
  const t = field.type;
  if (DataType.isUtf8(t)) return field.metadata.get(ELT_TYPE_META) === 'json' ? 'json' : 'string';
  if (DataType.isInt(t)) return 'int64';
  if (DataType.isFloat(t)) return 'float64';
  if (DataType.isBool(t)) return 'bool';
  if (DataType.isTimestamp(t)) return 'timestamp';
  return 'string';
}

/**
 * The type of a column first seen with `value` (null/undefined cannot be typed; callers wait
 * for a non-null value).
 *
 * Numbers: a `*_at` name holding a number is a timestamp in unix seconds (Intercom's convention
 * for every date field). Any other number becomes float64, even when the first value is
 * an integer: one sample does not prove a field is integral, and an int64 column would turn
 * a later 1.5 into NULL, whereas float64 holds every integer up to 2^53 exactly (Intercom
 * counts are far below that; ids are strings).
 */
export function inferType(name: string, value: unknown): ColumnType {
  switch (typeof value) {
    case 'number':
      return name.endsWith('_at') ? 'timestamp' : 'float64';
    case 'bigint':
      return 'int64';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    default:
      // objects, arrays, and anything exotic: keep it whole as JSON
      return 'json';
  }
}
