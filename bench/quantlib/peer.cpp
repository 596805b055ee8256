// QuantLib peer for bench/pricing.ts: prices the benchmark chain (written by the TS bench, one option per line:
// forward strike years vol isCall price) with QuantLib's BlackCalculator and inverts the prices with
// blackFormulaImpliedStdDev, and prints JSON timings (ns per option, best of N rounds after warm-up).
// Build: g++ -O2 -std=c++17 -o quantlib-peer peer.cpp -lQuantLib   (Debian: libquantlib0-dev)
#include <ql/version.hpp>
#include <ql/pricingengines/blackcalculator.hpp>
#include <ql/pricingengines/blackformula.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <vector>

using namespace QuantLib;

struct Row { double forward, strike, years, vol; bool isCall; double price; };

template <class F> double bestNsPerOption(F pass, int passesPerRound, int rounds, std::size_t count) {
  for (int w = 0; w < passesPerRound * 3; ++w) pass();
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int p = 0; p < passesPerRound; ++p) pass();
    std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return best / (passesPerRound * double(count));
}

int main(int argc, char** argv) {
  if (argc < 2) { std::fprintf(stderr, "usage: quantlib-peer CHAIN_FILE\n"); return 2; }
  std::ifstream in(argv[1]);
  std::size_t n = 0;
  in >> n;
  std::vector<Row> rows(n);
  for (auto& r : rows) { int c; in >> r.forward >> r.strike >> r.years >> r.vol >> c >> r.price; r.isCall = c == 1; }
  volatile double sink = 0;

  // price + delta + gamma + vega + theta + rho (undiscounted Black-76, r = 0: discount 1)
  double greeksNs = bestNsPerOption([&] {
    double acc = 0;
    for (const auto& r : rows) {
      BlackCalculator calc(r.isCall ? Option::Call : Option::Put, r.strike, r.forward, r.vol * std::sqrt(r.years), 1.0);
      acc += calc.value() + calc.deltaForward() + calc.gammaForward() + calc.vega(r.years) + calc.thetaPerDay(r.forward, r.years) + calc.rho(r.years);
    }
    sink = sink + acc;
  }, 20, 15, n);

  // implied vol at accuracy 1e-12 (tight) and at the default 1e-6; failures = exceptions or NaN
  auto solve = [&](double accuracy, std::vector<double>& out) {
    std::size_t failures = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& r = rows[i];
      try {
        double stdDev = blackFormulaImpliedStdDev(r.isCall ? Option::Call : Option::Put, r.strike, r.forward, r.price, 1.0, 0.0, Null<Real>(), accuracy, 100);
        out[i] = stdDev / std::sqrt(r.years);
        if (!(out[i] == out[i])) ++failures;
      } catch (...) {
        out[i] = std::numeric_limits<double>::quiet_NaN();
        ++failures;
      }
    }
    return failures;
  };
  std::vector<double> vols(n);
  std::size_t failures = 0;
  double ivNs = bestNsPerOption([&] { failures = solve(1e-12, vols); }, 2, 7, n);
  double maxError = 0;
  for (std::size_t i = 0; i < n; ++i) if (vols[i] == vols[i]) maxError = std::max(maxError, std::fabs(vols[i] / rows[i].vol - 1));
  std::vector<double> defaultVols(n);
  std::size_t defaultFailures = 0;
  double ivDefaultNs = bestNsPerOption([&] { defaultFailures = solve(1e-6, defaultVols); }, 2, 7, n);
  double maxDefaultError = 0;
  for (std::size_t i = 0; i < n; ++i) if (defaultVols[i] == defaultVols[i]) maxDefaultError = std::max(maxDefaultError, std::fabs(defaultVols[i] / rows[i].vol - 1));

  std::printf("{\"version\": \"%s\", \"options\": %zu, \"price_delta_gamma_vega_theta_rho_ns_per_option\": %.1f, "
              "\"implied_vol_ns_per_option\": %.1f, \"implied_vol_accuracy\": 1e-12, \"implied_vol_failures\": %zu, "
              "\"implied_vol_max_relative_error\": %.3e, \"implied_vol_default_accuracy_ns_per_option\": %.1f, "
              "\"implied_vol_default_accuracy_failures\": %zu, \"implied_vol_default_accuracy_max_relative_error\": %.3e}\n",
              QL_VERSION, n, greeksNs, ivNs, failures, maxError, ivDefaultNs, defaultFailures, maxDefaultError);
  return sink == 12345.678 ? 1 : 0;
}
