export { BatchBuilder, type BatchMeta } from './builder.js';
export { arrowField, arrowType, columnTypeOf, inferType, ELT_TYPE_META } from './types.js';
export { toBool, toFloat, toInt64, toJsonText, toMicros, toText } from './coerce.js';
