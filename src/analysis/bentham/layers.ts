// The six weight layers and the cultural profiles that preset them (docs/bentham.md, "Layers" and "Profiles").
// Every layer weight lives in [0.3, 2.5]: requested values outside are clamped (and reported as clamped), never
// rejected, so a caller can say "as much as possible" without knowing the bounds.

export const LAYERS = ['contextual', 'temporal', 'social', 'ethical', 'emotional', 'cognitive'] as const;
export type Layer = (typeof LAYERS)[number];
export type LayerWeights = Record<Layer, number>;

export const LAYER_MIN = 0.3;
export const LAYER_MAX = 2.5;

export const PROFILES = ['neutral', 'western', 'eastern', 'korean'] as const;
export type Profile = (typeof PROFILES)[number];

const ONES: LayerWeights = { contextual: 1, temporal: 1, social: 1, ethical: 1, emotional: 1, cognitive: 1 };

/**
 * Stylised presets, not measurements: each moves a few layers by 10–30 % in the direction suggested by the
 * individualism/collectivism and long-/short-term-orientation contrasts in cross-cultural psychology. They exist
 * so a caller can ask for a perspective by name; any layer can be overridden.
 */
export const PROFILE_WEIGHTS: Record<Profile, LayerWeights> = {
  neutral: { ...ONES },
  western: { ...ONES, temporal: 0.9, social: 0.9, cognitive: 1.1 },
  eastern: { ...ONES, contextual: 1.15, temporal: 1.2, social: 1.2 },
  korean: { ...ONES, contextual: 1.2, temporal: 1.1, social: 1.3, emotional: 1.15 },
};

export function clampLayer(w: number): number {
  return Math.min(LAYER_MAX, Math.max(LAYER_MIN, w));
}

export interface ResolvedLayer {
  weight: number;
  source: 'default' | 'profile' | 'given';
  /** The requested value when it was outside [0.3, 2.5] and got clamped. */
  requested?: number;
}

/** Profile preset first, then per-layer overrides (clamped). */
export function resolveLayers(
  profile: Profile,
  overrides: Partial<Record<Layer, number>> = {},
): Record<Layer, ResolvedLayer> {
  const preset = PROFILE_WEIGHTS[profile];
  const out = {} as Record<Layer, ResolvedLayer>;
  for (const layer of LAYERS) {
    const requested = overrides[layer];
    if (requested !== undefined) {
      const weight = clampLayer(requested);
      out[layer] = weight === requested ? { weight, source: 'given' } : { weight, source: 'given', requested };
    } else {
      out[layer] = { weight: preset[layer], source: profile === 'neutral' ? 'default' : 'profile' };
    }
  }
  return out;
}

export function weightsOf(resolved: Record<Layer, ResolvedLayer>): LayerWeights {
  const w = {} as LayerWeights;
  for (const layer of LAYERS) w[layer] = resolved[layer].weight;
  return w;
}
