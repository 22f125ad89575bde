/**
 * Ornstein-Uhlenbeck fit by exact AR(1) discretisation.
 *
 * Type: mean reversion. An OU process dX = θ(μ − X)dt + σ dW sampled every
 * Δt is exactly the AR(1) X_{k+1} = a + b X_k + ε with b = e^{−θΔt},
 * a = μ(1 − b), Var ε = σ²(1 − b²)/(2θ). An OLS fit of (a, b) on a trailing
 * window gives θ = −ln b / Δt, μ = a / (1 − b), the stationary standard
 * deviation σ_eq = sd(ε) / √(1 − b²) and half-life ln 2 / θ. The z-score of
 * the latest value is (x − μ) / σ_eq. When b ∉ (0, 1) the window is not
 * mean-reverting and every output is NaN (no trade).
 *
 * @see G. E. Uhlenbeck, L. S. Ornstein, "On the Theory of the Brownian Motion", Phys. Rev. 36, 1930;
 *      the AR(1) mapping as in statsmodels' `AutoReg(x, lags=1, trend='c')` OLS fit.
 */

export interface OuFit {
  /** Mean-reversion speed per ms. */
  theta: number;
  mu: number;
  /** Diffusion σ per √ms. */
  sigma: number;
  /** Stationary standard deviation σ_eq. */
  sigmaEq: number;
  /** ln 2 / θ, in ms. */
  halfLife: number;
  /** AR(1) coefficients. */
  a: number;
  b: number;
}

/**
 * OLS AR(1) fit of x[from..to) (at least 3 points), samples `dtMs` apart.
 * Residual variance uses n − 2 degrees of freedom (two fitted coefficients).
 *
 * @example fitOu([0, 1, 0.5, 0.75, 0.625], 1000).b // => -0.5 (not mean-reverting in OU sense → theta NaN)
 */
export function fitOu(x: ArrayLike<number>, dtMs: number, from = 0, to = x.length): OuFit {
  const m = to - from - 1; // number of (x_k, x_{k+1}) pairs
  const nan: OuFit = { theta: NaN, mu: NaN, sigma: NaN, sigmaEq: NaN, halfLife: NaN, a: NaN, b: NaN };
  if (m < 2) return nan;
  let sx = 0;
  let sy = 0;
  for (let k = from; k < to - 1; k++) {
    sx += x[k];
    sy += x[k + 1];
  }
  const mx = sx / m;
  const my = sy / m;
  let sxx = 0;
  let sxy = 0;
  for (let k = from; k < to - 1; k++) {
    const dx = x[k] - mx;
    sxx += dx * dx;
    sxy += dx * (x[k + 1] - my);
  }
  if (!(sxx > 0)) return nan;
  const b = sxy / sxx;
  const a = my - b * mx;
  let sse = 0;
  for (let k = from; k < to - 1; k++) {
    const e = x[k + 1] - a - b * x[k];
    sse += e * e;
  }
  const s2 = m > 2 ? sse / (m - 2) : NaN;
  if (!(b > 0 && b < 1)) return { ...nan, a, b };
  const theta = -Math.log(b) / dtMs;
  const sigmaEq = Math.sqrt(s2 / (1 - b * b));
  return {
    theta,
    mu: a / (1 - b),
    sigma: sigmaEq * Math.sqrt(2 * theta),
    sigmaEq,
    halfLife: Math.LN2 / theta,
    a,
    b,
  };
}
