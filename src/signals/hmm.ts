/**
 * Gaussian hidden Markov model (HMM) with diagonal-covariance emissions.
 *
 * Type: regime. A hidden state s_t ∈ {0..K−1} follows a Markov chain
 * (`startProb` π, row-major `transMat` A with A[i·K + j] = P(s_{t+1} = j | s_t = i));
 * given the state, the D-dimensional observation x_t is Gaussian with
 * independent components: x_{t,d} ~ N(means[k·D + d], variances[k·D + d]).
 * On log returns the states are market regimes (calm drift, volatile sell-off, …).
 *
 * - Fitting: Baum-Welch (EM) with per-step scaling, a variance floor, a
 *   log-likelihood tolerance, several deterministic seeded restarts (util/prng,
 *   never `Math.random`), keeping the best log-likelihood. After fitting the
 *   states are LABELLED BY MEAN: state 0 has the smallest mean of dimension 0,
 *   so runs and refits are comparable.
 * - Inference: `hmmViterbi` (log space), `hmmLogLikelihood`, `hmmFiltered`
 *   (forward pass only: P(s_t | x_1..x_t), the only probabilities a trading
 *   rule may use) and `hmmSmoothed` (forward-backward: P(s_t | x_1..x_T) — it
 *   looks at the FUTURE, so it is for plots and diagnostics only).
 * - Streaming: `HmmFilter` updates the filtered probabilities one observation
 *   at a time, O(K² + K·D) and no allocation per update.
 * - Over a tape: `hmmRegimeSeries` (pure) and `HmmRegimeTrades` /
 *   `HmmRegimeBars` (streaming) give per-row regime outputs with no
 *   look-ahead; `HMM_SIGNAL` is the CLI's view.
 *
 * Observations are passed as one flat array, T×D row-major: x[t·D + d].
 *
 * Scaling: the forward pass keeps α̂_t = P(s_t | x_1..x_t) normalised and
 * accumulates log c_t; emissions are exponentiated relative to their
 * per-step maximum over reachable states, so an outlier that underflows every
 * density cannot produce 0/0.
 *
 * @see L. R. Rabiner, "A Tutorial on Hidden Markov Models and Selected Applications in Speech Recognition",
 *      Proc. IEEE 77(2), 1989 (forward-backward with scaling §V.A, Viterbi §III.B, re-estimation §III.C);
 *      J. D. Hamilton, "A New Approach to the Economic Analysis of Nonstationary Time Series and the Business
 *      Cycle", Econometrica 57(2), 1989 (the filtered regime probabilities).
 */
export {
  makeHmm,
  labelStatesByMean,
  hmmForward,
  hmmFiltered,
  hmmLogLikelihood,
  hmmSmoothed,
  hmmViterbi,
  HmmFilter,
  type GaussianHmm,
} from './hmm/model';
export { sampleHmm, baumWelch, fitHmm, type BaumWelchOptions, type HmmFitOptions, type HmmFit } from './hmm/fit';
export {
  HMM_PARAMS,
  hmmOutputNames,
  hmmRegimeSeries,
  HmmRegimeTrades,
  HmmRegimeBars,
  HMM_SIGNAL,
  type HmmRegimeParams,
  type HmmRegimeFit,
  type HmmRegimeSeries,
} from './hmm/regime';
