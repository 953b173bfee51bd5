// A node:test reporter that only counts: the tier runner reads its JSON to build the summary.
// Suites are not tests; skipped and todo tests are counted apart from passes.
export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') {
      // A suite fails on its own only when a hook failed; count that as a failure.
      if (event.type === 'test:fail' && event.data.details?.error?.failureType === 'hookFailed') {
        counts.failed += 1;
        counts.failures.push(`${event.data.name} (hook)`);
      }
      continue;
    }
    if (event.data.skip || event.data.todo) counts.skipped += 1;
    else if (event.type === 'test:pass') counts.passed += 1;
    else {
      counts.failed += 1;
      counts.failures.push(event.data.name);
    }
  }
  yield `${JSON.stringify(counts)}\n`;
}
