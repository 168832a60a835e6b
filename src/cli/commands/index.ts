/** Every command of the CLI, one file each, in the order of `intercom-elt --help`. */
import type { CommandDefinition } from '../command.js';
import { command as ingest } from './ingest.js';
import { command as demo } from './demo.js';
import { command as fakeIntercom } from './fake.js';
import { command as check } from './check.js';
import { command as validate } from './validate.js';
import { command as list } from './list.js';
import { command as state } from './state.js';
import { command as init } from './init.js';
import { command as dbtSources } from './dbt-sources.js';
import { command as query } from './query.js';
import { command as docs } from './docs.js';

export const commands: readonly CommandDefinition[] = [ingest, demo, fakeIntercom, check, validate, list, state, init, dbtSources, query, docs];
