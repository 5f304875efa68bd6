// Cross-field checks for a regret matrix request. Each returns a message naming the field and the rule (the tool
// turns it into an invalid_input error), or null when the input is fine.

/** How far Σ p may be from 1 before the request is rejected. */
export const PROBABILITY_SUM_TOLERANCE = 1e-6;

export interface NamedScenario {
  name: string;
  probability?: number;
}

/** Probabilities are all given or all omitted (then uniform); given ones are finite, ≥ 0 and sum to 1 ± 1e-6. */
export function checkProbabilities(scenarios: readonly NamedScenario[]): string | null {
  const given = scenarios.filter((s) => s.probability !== undefined).length;
  if (given === 0) return null;
  if (given !== scenarios.length) {
    return `scenarios: give a probability for every scenario or for none (uniform); ${given} of ${scenarios.length} have one`;
  }
  let sum = 0;
  for (const s of scenarios) {
    const p = s.probability as number;
    if (!Number.isFinite(p) || p < 0)
      return `scenarios["${s.name}"].probability must be a finite number ≥ 0 (got ${p})`;
    sum += p;
  }
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    return `scenarios[].probability must sum to 1 ± ${PROBABILITY_SUM_TOLERANCE} (they sum to ${sum})`;
  }
  return null;
}

/** Given probabilities are used as given (not renormalised); omitted ones are uniform 1/n. */
export function scenarioProbabilities(scenarios: readonly NamedScenario[]): number[] {
  return scenarios.map((s) => s.probability ?? 1 / scenarios.length);
}

export function checkUniqueNames(field: string, items: readonly { name: string }[]): string | null {
  const seen = new Set<string>();
  for (const { name } of items) {
    if (seen.has(name)) return `${field}[].name must be unique ("${name}" appears more than once)`;
    seen.add(name);
  }
  return null;
}

/** outcomes must be options × scenarios, every entry finite. */
export function checkOutcomes(
  outcomes: readonly (readonly number[])[],
  nOptions: number,
  nScenarios: number,
): string | null {
  if (outcomes.length !== nOptions) {
    return `outcomes must have one row per option: ${nOptions} options but ${outcomes.length} rows`;
  }
  for (let i = 0; i < outcomes.length; i++) {
    if (outcomes[i].length !== nScenarios) {
      return `outcomes[${i}] must have one value per scenario: ${nScenarios} scenarios but ${outcomes[i].length} values`;
    }
    for (let s = 0; s < nScenarios; s++) {
      if (!Number.isFinite(outcomes[i][s]))
        return `outcomes[${i}][${s}] must be a finite number (got ${outcomes[i][s]})`;
    }
  }
  return null;
}
