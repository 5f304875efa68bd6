// The worked example of Bentham's calculus that the tool's unit tests and its MCP test both score. By hand:
// Ann ×1, pleasure 0.8·0.5·1·1·(0.2 + 0.9) = 0.44; Town ×3, pain −0.5·0.4·0.5 = −0.1 each, −0.3 in all;
// classic total 0.14, extent 4, gross 0.74.
export const ANN_AND_TOWN = [
  {
    name: 'Ann',
    effects: [
      {
        kind: 'pleasure',
        intensity: 0.8,
        duration: 0.5,
        certainty: 1,
        propinquity: 1,
        fecundity: 0.2,
        purity: 0.9,
        description: 'raise',
      },
    ],
  },
  {
    name: 'Town',
    count: 3,
    effects: [{ kind: 'pain', intensity: 0.5, duration: 0.4, certainty: 0.5, propinquity: 1, fecundity: 0, purity: 1 }],
  },
];
