/**
 * `${VAR}` / `${VAR:-default}` expansion in string values, applied after YAML parsing so a value
 * holding `#`, `:` or quotes is never re-parsed as YAML. `$$` is a literal `$`; a `$` not followed
 * by `{` or `$` is kept as is (passwords often contain one). Expanded text is not expanded again.
 */
import { fail, isMapping, join } from './reader.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Variables each expanded field used, by field path (to explain an empty value). */
export type VarsUsed = Map<string, string[]>;

export function interpolateString(
  text: string,
  env: NodeJS.ProcessEnv,
  file: string,
  field: string,
  vars: string[] = [],
): string {
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
      if (value === undefined) throw fail(file, field, `environment variable ${name} is not set`);
      out += value;
    }
    i = close + 1;
  }
  return out;
}

/** Expand every string in a parsed YAML tree (keys are left alone). */
export function interpolateTree(value: unknown, env: NodeJS.ProcessEnv, file: string, path: string, used: VarsUsed): unknown {
  if (typeof value === 'string') {
    const vars: string[] = [];
    const out = interpolateString(value, env, file, path, vars);
    if (vars.length > 0) used.set(path, vars);
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, env, file, join(path, i), used));
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, env, file, join(path, k), used);
    return out;
  }
  return value;
}
