/**
 * The layering of src/ (docs/architecture.md), checked by `npm run lint` in CI.
 * Data flows one way: cli -> pipeline -> (intercom -> transforms -> arrow -> destinations), all on core.
 * Run alone: npx depcruise src --config .dependency-cruiser.cjs --output-type err
 * (one line per forbidden import, `error <rule>: <from> → <to>`; the exit status is the number of violations).
 * Each `from`/`to` is a path regex on src/; type-only imports count (tsPreCompilationDeps): a type is a word too.
 */
const layer = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    { name: 'no-cycles', comment: 'No import cycles anywhere.', severity: 'error', from: {}, to: { circular: true } },
    layer('core-imports-nothing', 'core/ is the ground floor: it imports nothing of ours outside core/.', '^src/core/', '^src/(?!core/)'),
    layer('config-on-core', "config/ (the user's words) imports core/ only.", '^src/config/', '^src/(?!core/|config/)'),
    layer('arrow-on-core', 'arrow/ imports core/ only.', '^src/arrow/', '^src/(?!core/|arrow/)'),
    layer(
      'intercom-on-core',
      'intercom/ imports core/ only (never config, arrow, destinations, pipeline or cli).',
      '^src/intercom/',
      '^src/(?!core/|intercom/)',
    ),
    layer(
      'transforms-below-pipeline',
      'transforms/ imports core/, config/ and arrow/ (never intercom, destinations, pipeline or cli).',
      '^src/transforms/',
      '^src/(?!core/|config/|arrow/|transforms/)',
    ),
    layer(
      'destinations-below-pipeline',
      'destinations/ imports core/, config/ and arrow/ only: never Intercom code, the pipeline or the CLI.',
      '^src/destinations/',
      '^src/(?!core/|config/|arrow/|destinations/)',
    ),
    layer(
      'only-destinations-know-types',
      'Outside destinations/, only registry.ts and types.ts are imported.',
      '^src/(?!destinations/)',
      '^src/destinations/(?!registry\\.ts|types\\.ts)',
    ),
    layer(
      'pipeline-below-cli',
      'pipeline/ never imports cli/, docs-gen/ or the fake Intercom.',
      '^src/pipeline/',
      '^src/(cli|docs-gen|fake-intercom|api|index)',
    ),
    layer('fake-intercom-alone', 'The fake Intercom is a product of its own: it imports core/ only.', '^src/fake-intercom/', '^src/(?!core/|fake-intercom/)'),
    layer('nothing-imports-cli', 'Only the public API (src/api.ts) may call into cli/.', '^src/(?!cli/|api\\.ts|index\\.ts)', '^src/cli/'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
