/**
 * `${VAR}` / `${VAR:-default}` expansion in string values, applied after YAML parsing so a value
 * holding `#`, `:` or quotes is never re-parsed as YAML. `$$` is a literal `$`; a `$` not followed
 * by `{` or `$` is kept as is (passwords often contain one). Expanded text is not expanded again.
 */
import type { ConfigError } from '../core/errors.js';
import { fail, isMapping, join } from './reader.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** dbt's (and Jinja's) `{{ env_var('X') }}` / `{{ env_var("X", "default") }}`, which people bring from dbt profiles. */
const JINJA_ENV_VAR = /\{\{\s*env_var\(\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*(,[^)]*)?\)\s*\}\}/;

/** Variables each expanded field used, by field path (to explain an empty value). */
export type VarsUsed = Map<string, string[]>;

/**
 * `unset`: instead of failing on an unset `${VAR}`, substitute this placeholder and record the
 * variable (connections.yml reads every connection, but only the ones a command uses need their
 * variables: see connections.ts).
 */
export function interpolateString(
  text: string,
  env: NodeJS.ProcessEnv,
  file: string,
  field: string,
  vars: string[] = [],
  unset?: { placeholder: string; names: string[] },
): string {
  const jinja = JINJA_ENV_VAR.exec(text);
  if (jinja) {
    const name = jinja[2]!;
    // the variable's name only: the default argument may be a secret
    throw fail(file, field, `{{ env_var('${name}') }} is dbt/Jinja syntax, not expanded here: write \${${name}} (or \${${name}:-default})`);
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, at);
    const next = text[at + 1];
    if (next === '$') {
      out += '$';
      i = at + 2;
      continue;
    }
    if (next !== '{') {
      out += '$';
      i = at + 1;
      continue;
    }
    const close = text.indexOf('}', at + 2);
    // Never echo the text: the field may hold a secret.
    if (close < 0) throw fail(file, field, 'unterminated "${" (write "$${" for a literal "${")');
    const body = text.slice(at + 2, close);
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      throw fail(file, field, 'invalid variable reference: use ${NAME} or ${NAME:-default} (NAME: letters, digits, _), or "$$" for a literal "$"');
    }
    vars.push(name);
    const value = env[name];
    if (sep >= 0) {
      out += value === undefined || value === '' ? body.slice(sep + 2) : value;
    } else {
      if (value === undefined && unset) {
        unset.names.push(name);
        out += unset.placeholder;
      } else if (value === undefined) {
        throw unsetVariable(file, field, name);
      } else {
        out += value;
      }
    }
    i = close + 1;
  }
  return out;
}

/** The error of an unset `${VAR}` (without a `:-default`). */
export function unsetVariable(file: string, field: string, name: string): ConfigError {
  return fail(file, field, `environment variable ${name} is not set`);
}

/** Fields whose value used an unset variable, with the variable names (lenient expansion). */
export type UnsetVars = Map<string, string[]>;

/**
 * Expand every string in a parsed YAML tree (keys are left alone). With `unset`, an unset variable
 * becomes `placeholder` and its field is recorded there instead of failing.
 */
export function interpolateTree(
  value: unknown,
  env: NodeJS.ProcessEnv,
  file: string,
  path: string,
  used: VarsUsed,
  unset?: { placeholder: string; fields: UnsetVars },
): unknown {
  if (typeof value === 'string') {
    const vars: string[] = [];
    const names: string[] = [];
    const out = interpolateString(value, env, file, path, vars, unset && { placeholder: unset.placeholder, names });
    if (vars.length > 0) used.set(path, vars);
    if (names.length > 0) unset!.fields.set(path, names);
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, env, file, join(path, i), used, unset));
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, env, file, join(path, k), used, unset);
    return out;
  }
  return value;
}
