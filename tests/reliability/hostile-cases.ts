/**
 * Hostile data, declared once (issue #7): custom attribute names and values that break naive
 * SQL, CSV, JSON or identifier handling. tests/reliability/hostile.test.ts loads every one into
 * each destination through the CLI and checks it lands intact; a docs page can list
 * HOSTILE_CASES. Nothing here contains U+0000: Intercom's JSON cannot carry a NUL into a
 * Postgres jsonb or text value, and the issue asks for NUL-free control characters.
 */

/** One case as a docs page lists it. */
export interface HostileCase {
  name: string;
  what: string;
}

/** A custom data attribute name (declared as a `string` attribute on contacts). */
export interface HostileName extends HostileCase {
  attribute: string;
}

/** A string value (custom attribute value, contact name/email, conversation title, part body). */
export interface HostileValue extends HostileCase {
  value: string;
}

const CONTROL = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');

export const HOSTILE_NAMES: HostileName[] = [
  { name: 'single-quote', attribute: "it's", what: "a single quote (`it's`)" },
  { name: 'double-quote', attribute: 'say "hi"', what: 'double quotes (`say "hi"`)' },
  { name: 'quote-pair', attribute: `'"'"`, what: 'nothing but alternating quotes' },
  { name: 'backslash', attribute: 'C:\\path\\to', what: 'backslashes (`C:\\path\\to`)' },
  { name: 'trailing-backslash', attribute: 'ends with \\', what: 'a trailing backslash that would escape a closing quote' },
  { name: 'semicolon', attribute: 'a;b', what: 'a semicolon' },
  { name: 'injection-name', attribute: 'x"); DROP TABLE intercom.contacts; --', what: 'an identifier injection: `x"); DROP TABLE intercom.contacts; --`' },
  { name: 'tab-newline', attribute: 'tab\there\nnew\rline', what: 'tab, line feed and carriage return' },
  { name: 'control', attribute: 'ctl\u0001\u0002\u001b[31m\u007f', what: 'C0 controls U+0001, U+0002, an ANSI escape (ESC [31m) and DEL' },
  { name: 'emoji', attribute: '🚀 launch 👩🏽‍💻', what: 'emoji, a ZWJ sequence with a skin-tone modifier (astral plane)' },
  { name: 'emoji-only', attribute: '🎉🎉', what: 'emoji only: snake_case leaves nothing, the column name is the hash' },
  { name: 'astral-cjk', attribute: '𠜎𠜱 name', what: 'CJK Extension B characters (astral plane, 4-byte UTF-8)' },
  { name: 'long-300', attribute: `long_${'n'.repeat(295)}`, what: 'a 300-character ASCII name (beyond Postgres’s 63-byte identifiers)' },
  { name: 'long-300-multibyte', attribute: 'é'.repeat(150) + '名'.repeat(150), what: 'a 300-character name of 750 UTF-8 bytes (beyond Snowflake’s 255)' },
  { name: 'keyword-select', attribute: 'select', what: 'SQL keyword `select`' },
  { name: 'keyword-from', attribute: 'from', what: 'SQL keyword `from`' },
  { name: 'keyword-order', attribute: 'order', what: 'SQL keyword `order`' },
  { name: 'keyword-quoted-order', attribute: '"order"', what: 'SQL keyword in double quotes, `"order"`' },
  { name: 'keyword-user', attribute: 'user', what: 'SQL keyword `user` (a function in Postgres)' },
  { name: 'keyword-table', attribute: 'table', what: 'SQL keyword `table`' },
  { name: 'keyword-group', attribute: 'group', what: 'SQL keyword `group`' },
  { name: 'keyword-null', attribute: 'null', what: 'SQL keyword `null`' },
  { name: 'keyword-upper-WHERE', attribute: 'WHERE', what: 'SQL keyword in upper case, `WHERE`' },
  { name: 'case-Plan', attribute: 'Plan', what: '`Plan`: differs from `plan` and `PLAN` only in case' },
  { name: 'case-plan', attribute: 'plan', what: '`plan`: already snake_case, keeps `ca_plan`' },
  { name: 'case-PLAN', attribute: 'PLAN', what: '`PLAN`: differs from `plan` only in case' },
  { name: 'norm-space', attribute: 'Plan Type', what: '`Plan Type`: snake_case is `plan_type`' },
  { name: 'norm-camel', attribute: 'PlanType', what: '`PlanType`: snake_case is `plan_type`' },
  { name: 'norm-dash', attribute: 'plan-type', what: '`plan-type`: snake_case is `plan_type`' },
  { name: 'norm-snake', attribute: 'plan_type', what: '`plan_type`: the snake_case the three above normalise to' },
  { name: 'norm-nfc', attribute: 'caf\u00e9', what: '`café` with a precomposed é (NFC)' },
  { name: 'norm-nfd', attribute: 'cafe\u0301', what: '`café` with e + combining acute (NFD): another JSON key, the same NFKC name' },
  { name: 'norm-ligature', attribute: '\ufb01le', what: '`ﬁle` with the U+FB01 ligature: NFKC makes it `file`' },
  { name: 'norm-fullwidth', attribute: 'ｆｉｌｅ', what: 'full-width `ｆｉｌｅ`: NFKC makes it `file`' },
  { name: 'norm-file', attribute: 'file', what: '`file`, the name the two above normalise to' },
  { name: 'own-column-id', attribute: 'id', what: '`id`, a column of the table itself' },
  { name: 'own-column-custom', attribute: 'custom_attributes', what: '`custom_attributes`, the JSON column’s own name' },
  { name: 'prefix-clash', attribute: 'ca_plan', what: '`ca_plan`: its snake_case is a typed column’s name' },
  { name: 'whitespace-only', attribute: ' \t ', what: 'whitespace only' },
  { name: 'bom-zero-width', attribute: '\ufeffzero\u200bwidth\u2028sep', what: 'a BOM, a zero-width space and U+2028 (a line separator to JavaScript)' },
];

/** 1 MiB of text that mixes every kind of hostile character, so no byte of the path can shortcut it. */
export const BIG_STRING = (() => {
  const unit = `x'");\\ DROP TABLE t; --\t\n\r\u0001🚀𠜎é `;
  let s = '';
  while (Buffer.byteLength(s, 'utf8') < 1024 * 1024) s += unit;
  return s;
})();

export const HOSTILE_VALUES: HostileValue[] = [
  { name: 'injection-value', value: "x'); DROP TABLE intercom.contacts; --", what: "a string-literal injection: `x'); DROP TABLE intercom.contacts; --`" },
  { name: 'injection-state', value: "'; DELETE FROM intercom._elt_state; --", what: 'an injection aimed at the state table' },
  { name: 'injection-or', value: `" OR 1=1 --`, what: 'a double-quote injection' },
  { name: 'dollar-quote', value: '$$; DROP TABLE x; $$ $tag$ $1 ?', what: 'Postgres dollar quoting, a `$1` placeholder and a `?` bind marker' },
  { name: 'bind-names', value: ':1 :name @stage %s {0}', what: 'Snowflake bind and stage markers, printf and format placeholders' },
  { name: 'backslashes', value: 'C:\\new\\table\\', what: 'backslashes, one before `n` and `t` and one at the end' },
  { name: 'escape-text', value: '\\u0000 \\x00 \\N \\\\', what: 'the TEXT of escapes: `\\u0000`, `\\x00`, Postgres COPY’s null marker `\\N`' },
  { name: 'null-words', value: 'NULL', what: 'the word NULL' },
  { name: 'empty', value: '', what: 'the empty string (not NULL)' },
  { name: 'controls', value: `c0:${CONTROL}:del\u007f:nel\u0085`, what: 'every C0 control U+0001–U+001F, DEL and NEL (U+0085)' },
  { name: 'crlf-csv', value: 'a,b\r\n"c",d\n\ne', what: 'CSV breakers: commas, CRLF, quoted fields, blank lines' },
  { name: 'emoji-astral', value: '👩🏽‍💻🏳️‍🌈 𝄞 𠜎 🀄', what: 'ZWJ emoji, a flag sequence, musical symbol G clef and CJK Extension B (astral plane)' },
  { name: 'separators', value: 'ls\u2028ps\u2029bom\ufeffzw\u200b', what: 'U+2028/U+2029 line/paragraph separators, BOM, zero-width space' },
  { name: 'json-like', value: '{"a":1,"b":[true,null]}', what: 'text that is valid JSON (must stay a string, not be parsed)' },
  { name: 'spaces', value: '  padded  ', what: 'leading and trailing spaces (not trimmed)' },
  { name: 'html', value: '<script>alert("x")</script>&amp;', what: 'HTML and an entity (kept verbatim)' },
];

export const DEEP_LEVELS = 150;

/** `{"d":{"d":[...{"leaf": …}]}}`: objects and arrays alternating, DEEP_LEVELS deep. */
export function deepJson(levels = DEEP_LEVELS): unknown {
  let v: unknown = { leaf: `it's "deep"; \\ 🚀\n`, n: 1.5, t: true, z: null };
  for (let i = 0; i < levels; i++) v = i % 2 ? [v, i] : { d: v, [`k${i}'"`]: i };
  return v;
}

/** Every case, for docs/reliability.md. */
export const HOSTILE_CASES: HostileCase[] = [
  ...HOSTILE_NAMES.map(({ name, what }) => ({ name: `name: ${name}`, what: `custom attribute name with ${what}` })),
  ...HOSTILE_VALUES.map(({ name, what }) => ({ name: `value: ${name}`, what: `string value with ${what}` })),
  { name: 'value: big-1mb', what: 'a 1 MiB string of mixed quotes, backslashes, controls and astral characters (custom attribute, contact name, part body)' },
  { name: `value: deep-${DEEP_LEVELS}`, what: `a custom attribute holding JSON nested ${DEEP_LEVELS} levels deep (objects and arrays)` },
];
