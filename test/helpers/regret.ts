// Random regret problems for the property tests of src/analysis/regret: integer utilities and rational
// probabilities, so distinct values stay far apart compared with the tie tolerance.
import fc from 'fast-check';

export interface RegretProblem {
  utilities: number[][];
  probabilities: number[];
}

/** `n` options × `m` scenarios: utilities −100..100; probabilities are integer weights 1..20 over their sum. */
export function regretMatrix(n: number, m: number): fc.Arbitrary<RegretProblem> {
  return fc
    .record({
      utilities: fc.array(fc.array(fc.integer({ min: -100, max: 100 }), { minLength: m, maxLength: m }), {
        minLength: n,
        maxLength: n,
      }),
      weights: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: m, maxLength: m }),
    })
    .map(({ utilities, weights }) => {
      const total = weights.reduce((a, b) => a + b, 0);
      return { utilities, probabilities: weights.map((w) => w / total) };
    });
}

/** Problems of 2..`maxOptions` options and `scenarios` scenarios, with the fields `extra(m)` draws for m scenarios. */
export function regretProblems<T extends object = object>(
  maxOptions: number,
  scenarios: { min: number; max: number },
  extra: (m: number) => fc.Arbitrary<T> = () => fc.constant({} as T),
): fc.Arbitrary<RegretProblem & T> {
  return fc
    .record({ n: fc.integer({ min: 2, max: maxOptions }), m: fc.integer(scenarios) })
    .chain(({ n, m }) => fc.tuple(regretMatrix(n, m), extra(m)).map(([problem, more]) => ({ ...problem, ...more })));
}
