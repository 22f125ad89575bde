/*
 * Native floor for two of issue 12's aims (bench/floor.ts builds and runs this).
 *
 * V1's tick loop (src/strategies/v1-ofi.ts v1TickLoop, no volume ratio) and
 * TradeFlowImbalanceIndicator.update (src/signals/ofi.ts), in C with the same
 * operations in the same order, so their outputs can be compared bit for bit
 * with ours. Each comes twice: as we write it, and with the two oldest prints
 * tested from one pointer (times never decrease, so the second leaving implies
 * the first does), which shortens the pointer's dependency chain. Built with
 * gcc -O3 -march=native and no fast-math, so rounding is IEEE as in JavaScript.
 *
 * Usage: kernels <dir> <n> <windowMs> <threshold> <minCount> <reps>
 * <dir> holds time.f64, price.f64, amount.f64, side.i8 and our outputs v1-entry.i8,
 * v1-exit.u8, ofi-imbalance.f64. Prints one JSON object: best CPU ms of each
 * kernel over <reps> runs and whether its output equals ours.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *slurp(const char *dir, const char *name, size_t bytes, size_t pad) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  char *p = calloc(bytes + pad, 1);
  if (fread(p, 1, bytes, f) != bytes) { fprintf(stderr, "%s: short read\n", path); exit(2); }
  fclose(f);
  return p;
}

static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double bare(const double *p, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += p[i];
  return s;
}

/* ── The bracket search (src/exits/fill-rules.ts firstBracketPrint), long side ── */

static __attribute__((noinline)) int first_bracket_print(const double *price, int from, int end, double stopTrig, double targetTrig) {
  int i = from;
  while (i < end && !(price[i] <= stopTrig || price[i] > targetTrig)) i++;
  return i;
}

/* ── V1 ── */

/* One body for both forms; always inlined with a constant `pair`, so each form compiles to its own loop. */
static inline __attribute__((always_inline)) void v1_loop(const double *time, const double *amount, const int8_t *side, int8_t *entry, uint8_t *exitv, int n, double thr, double W, int minCount, const int pair) {
  int tail = 0;
  double sgn = 0, total = 0, b;
  for (int i = 0; i < n; i++) {
    double a = amount[i], cutoff = time[i] - W;
    sgn += side[i] * a;
    total += a;
    if (pair) {
      int nx = tail < i ? tail + 1 : i; /* never a print not yet added */
      int c1 = time[tail] <= cutoff, c2 = time[nx] <= cutoff;
      b = amount[tail] * c1;
      sgn -= side[tail] * b; total -= b;
      b = amount[nx] * c2;
      sgn -= side[nx] * b; total -= b;
      tail += c1 + c2;
    } else {
      int adv = time[tail] <= cutoff;
      b = amount[tail] * adv;
      sgn -= side[tail] * b; total -= b; tail += adv;
      adv = time[tail] <= cutoff;
      b = amount[tail] * adv;
      sgn -= side[tail] * b; total -= b; tail += adv;
    }
    while (time[tail] <= cutoff) { b = amount[tail]; sgn -= side[tail] * b; total -= b; tail++; }
    if (i - tail + 1 < minCount || total <= 0) continue;
    double bar = thr * total;
    if (sgn >= bar) { entry[i] = 1; exitv[i] = 2; }
    else if (sgn <= -bar) { entry[i] = -1; exitv[i] = 1; }
  }
}

static void v1_as_written(const double *time, const double *amount, const int8_t *side, int8_t *entry, uint8_t *exitv, int n, double thr, double W, int minCount) {
  v1_loop(time, amount, side, entry, exitv, n, thr, W, minCount, 0);
}

static void v1_pair(const double *time, const double *amount, const int8_t *side, int8_t *entry, uint8_t *exitv, int n, double thr, double W, int minCount) {
  v1_loop(time, amount, side, entry, exitv, n, thr, W, minCount, 1);
}

/* ── OFI streaming: a ring of (time, amount, side), doubled when full ── */

typedef struct { double W, sgn, total, imb; double *t, *a; int8_t *s; int mask, head, tail; } Ofi;

static void ofi_init(Ofi *o, double W) {
  memset(o, 0, sizeof *o);
  o->W = W; o->imb = 0; o->mask = 1023;
  o->t = calloc(1024, 8); o->a = calloc(1024, 8); o->s = calloc(1024, 1);
}

static void ofi_free(Ofi *o) { free(o->t); free(o->a); free(o->s); }

static void ofi_grow(Ofi *o) {
  int size = (o->tail - o->head) & o->mask, cap = (o->mask + 1) * 2;
  double *t = calloc(cap, 8), *a = calloc(cap, 8);
  int8_t *s = calloc(cap, 1);
  for (int k = 0; k < size; k++) { int j = (o->head + k) & o->mask; t[k] = o->t[j]; a[k] = o->a[j]; s[k] = o->s[j]; }
  ofi_free(o);
  o->t = t; o->a = a; o->s = s; o->head = 0; o->tail = size; o->mask = cap - 1;
}

static inline double clamp1(double x) { return x > 1 ? 1 : x < -1 ? -1 : x; }

static inline __attribute__((always_inline)) void ofi_update(Ofi *o, double time, double amount, int side, int pair) {
  if (((o->tail + 1) & o->mask) == o->head) ofi_grow(o);
  int mask = o->mask, slot = o->tail, head = o->head;
  double *t = o->t, *a = o->a;
  int8_t *s = o->s;
  t[slot] = time; a[slot] = amount; s[slot] = side;
  o->tail = (slot + 1) & mask;
  double sgn = o->sgn + side * amount, total = o->total + amount, cutoff = time - o->W, x;
  if (pair) {
    int nx = head != slot ? (head + 1) & mask : head;
    int c1 = t[head] <= cutoff, c2 = t[nx] <= cutoff;
    x = a[head] * c1; sgn -= s[head] * x; total -= x;
    x = a[nx] * c2; sgn -= s[nx] * x; total -= x;
    head = (head + c1 + c2) & mask;
  } else {
    int adv = t[head] <= cutoff;
    x = a[head] * adv; sgn -= s[head] * x; total -= x; head = (head + adv) & mask;
    adv = t[head] <= cutoff;
    x = a[head] * adv; sgn -= s[head] * x; total -= x; head = (head + adv) & mask;
  }
  while (t[head] <= cutoff) { sgn -= s[head] * a[head]; total -= a[head]; head = (head + 1) & mask; }
  o->head = head; o->sgn = sgn; o->total = total;
  o->imb = total > 0 ? clamp1(sgn / total) : 0;
}

static double ofi_run(const double *time, const double *amount, const int8_t *side, int n, double W, int pair, double *out) {
  Ofi o;
  ofi_init(&o, W);
  double acc = 0;
  if (pair) for (int i = 0; i < n; i++) { ofi_update(&o, time[i], amount[i], side[i], 1); acc += o.imb; if (out) out[i] = o.imb; }
  else for (int i = 0; i < n; i++) { ofi_update(&o, time[i], amount[i], side[i], 0); acc += o.imb; if (out) out[i] = o.imb; }
  ofi_free(&o);
  return acc;
}

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: kernels <dir> <n> <windowMs> <threshold> <minCount> <reps>\n"); return 2; }
  const char *dir = argv[1];
  int n = atoi(argv[2]), minCount = atoi(argv[5]), reps = atoi(argv[6]);
  double W = atof(argv[3]), thr = atof(argv[4]);
  /* One print of padding past the end reads as +inf time (JavaScript reads undefined: every comparison false). */
  double *time = slurp(dir, "time.f64", (size_t)n * 8, 64);
  for (int k = 0; k < 8; k++) time[n + k] = 1.0 / 0.0;
  double *price = slurp(dir, "price.f64", (size_t)n * 8, 0);
  double *amount = slurp(dir, "amount.f64", (size_t)n * 8, 64);
  int8_t *side = slurp(dir, "side.i8", n, 64);
  int8_t *ourEntry = slurp(dir, "v1-entry.i8", n, 0);
  uint8_t *ourExit = slurp(dir, "v1-exit.u8", n, 0);
  double *ourImb = slurp(dir, "ofi-imbalance.f64", (size_t)n * 8, 0);
  int8_t *entry = calloc(n, 1);
  uint8_t *exitv = calloc(n, 1);
  double *imb = calloc(n, 8);
  volatile double sink = 0;
  double best[6] = { 1e300, 1e300, 1e300, 1e300, 1e300, 1e300 };
  int same[4], searchSame = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = cpu_ms(); sink += bare(price, n); double d = cpu_ms() - t0; if (d < best[0]) best[0] = d;
    /* levels nothing reaches: the search reads every price, as a first backtest of an always-open position does */
    t0 = cpu_ms(); int found = first_bracket_print(price, 0, n, 0.0, 1.0 / 0.0); d = cpu_ms() - t0; if (d < best[5]) best[5] = d;
    searchSame = found == n; /* ours returns n too: nothing reached */
    for (int v = 0; v < 2; v++) {
      memset(entry, 0, n); memset(exitv, 0, n);
      t0 = cpu_ms();
      (v ? v1_pair : v1_as_written)(time, amount, side, entry, exitv, n, thr, W, minCount);
      d = cpu_ms() - t0; if (d < best[1 + v]) best[1 + v] = d;
      if (r == 0) same[v] = memcmp(entry, ourEntry, n) == 0 && memcmp(exitv, ourExit, n) == 0;
      t0 = cpu_ms(); sink += ofi_run(time, amount, side, n, W, v, NULL); d = cpu_ms() - t0; if (d < best[3 + v]) best[3 + v] = d;
    }
  }
  for (int v = 0; v < 2; v++) { ofi_run(time, amount, side, n, W, v, imb); same[2 + v] = memcmp(imb, ourImb, (size_t)n * 8) == 0; }
  printf("{\"bareMs\":%.2f,\"bracketSearchMs\":%.2f,\"v1AsWrittenMs\":%.2f,\"v1PairMs\":%.2f,\"ofiAsWrittenMs\":%.2f,\"ofiPairMs\":%.2f,"
         "\"v1AsWrittenSame\":%s,\"v1PairSame\":%s,\"ofiAsWrittenSame\":%s,\"ofiPairSame\":%s,\"bracketSearchSame\":%s}\n",
         best[0], best[5], best[1], best[2], best[3], best[4], same[0] ? "true" : "false", same[1] ? "true" : "false", same[2] ? "true" : "false", same[3] ? "true" : "false", searchSame ? "true" : "false");
  (void)sink; /* volatile: the timed results are kept, so no loop is optimised away */
  return 0;
}
