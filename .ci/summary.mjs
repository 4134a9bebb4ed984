// Prints the plain closing line CI reads: "N passed, N failed".
// Lint and typecheck count as one check each, so a failing one can never hide behind green tests.
import { readFileSync } from 'node:fs';

const [resultsPath, failedChecksArg = '0'] = process.argv.slice(2);
const failedChecks = Number(failedChecksArg);
let passed = 0;
let failed = failedChecks;
try {
  const results = JSON.parse(readFileSync(resultsPath, 'utf8'));
  passed = results.numPassedTests;
  failed += results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
  if (results.numTotalTests === 0) failed += 1;
  // A suite that failed outside its tests (an import, a beforeAll) leaves its tests skipped or
  // absent: it still counts once, so the line never reads "0 failed" for a broken suite.
  for (const suite of results.testResults ?? []) {
    const testFailed = suite.assertionResults.some((test) => test.status === 'failed');
    if (suite.status === 'failed' && !testFailed) failed += 1;
  }
} catch (error) {
  console.error(`could not read the test results at ${resultsPath}: ${error.message}`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
