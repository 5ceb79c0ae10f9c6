// dealtree's driver of SilverDecisions's own engine (npm sd-computations, LGPL-3.0).
// Usage (after `make sd-engine` bundles it): node compute.bundle.mjs [--saved] FILE.json [RULE ...]
// --saved: do not rerun the code, use the values the file saved (its random draws), as
// SilverDecisions does when it opens a file; by default the code is run again.
// Prints one JSON object: for each rule, whether each tree is valid, its validation
// errors, the root's computed payoff (a list per criterion), its combined payoff and the
// names of the root's optimal edges. Values are plain numbers (SilverDecisions computes
// in exact fractions; they are converted at the end).
import {ComputationsManager} from 'sd-computations';
import {DataModel} from 'sd-model';
import {readFileSync} from 'node:fs';

const args = process.argv.slice(2);
const saved = args[0] === '--saved';
const [path, ...asked] = saved ? args.slice(1) : args;
const rules = asked.length ? asked : ['expected-value-maximization'];
const file = JSON.parse(readFileSync(path, 'utf8'));

const plain = (value) => {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(plain);
  const number = Number(value.valueOf());
  return Number.isFinite(number) ? number : String(value);
};

const report = {file: path, version: file.SilverDecisions ?? null, rules: {}};
for (const rule of rules) {
  const manager = new ComputationsManager({jobRepositoryType: 'simple', ruleName: rule});
  manager.setData(new DataModel(file.data ?? file));
  manager.data.clearComputedValues();
  await manager.checkValidityAndRecomputeObjective(false, !saved, true);
  report.rules[rule] = manager.data.getRoots().map((root, index) => {
    const result = manager.data.validationResults[index];
    return {
      valid: result.isValid(),
      errors: result.errors ? Object.keys(result.errors) : [],
      payoff: plain(root.computedValue(rule, 'payoff')),
      combined: plain(root.computedValue(rule, 'combinedPayoff')),
      optimal: root.childEdges
        .map((edge, i) => ({edge, i}))
        .filter(({edge}) => edge.computedValue(rule, 'optimal'))
        .map(({edge, i}) => `${i}:${edge.name ?? ''}`),
    };
  });
}
console.log(JSON.stringify(report));
