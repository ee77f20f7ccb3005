# Reference values for tests/test_panel_sdid.py: synthetic difference-in-differences, synthetic
# control and difference-in-differences on Proposition 99 (Arkhangelsky, Athey, Hirshberg, Imbens
# and Wager 2021, AER 111(12), Table 1), with the R package synthdid's placebo and jackknife
# standard errors.
#
# synthdid is not on CRAN or in Debian: this script sources the package's R files from a checkout
# of github.com/synth-inference/synthdid at commit 70c1ce3eac58e28c30b67435ca377bb48baa9b8a
# (version 0.0.9, 2024-01-15), e.g.
#   git clone https://github.com/synth-inference/synthdid /tmp/synthdid-70c1ce3
#   git -C /tmp/synthdid-70c1ce3 checkout 70c1ce3eac58e28c30b67435ca377bb48baa9b8a
# Run from the repository root:  SYNTHDID_SRC=/tmp/synthdid-70c1ce3 Rscript tests/reference/synthdid.R
# Writes tests/reference/synthdid.json.  R 4.2.2; the sourced files need only base R and stats.
source("tests/reference/common.R")
src <- Sys.getenv("SYNTHDID_SRC", "/tmp/synthdid-70c1ce3")
for (f in c("solver.R", "synthdid.R", "utils.R", "vcov.R")) source(file.path(src, "R", f))

# the committed copy of the package's data/california_prop99.csv (the same bytes)
panel <- read.csv("data/public/prop99/california_prop99.csv", sep = ";", stringsAsFactors = FALSE)
setup <- panel.matrices(panel)
N0 <- setup$N0; T0 <- setup$T0; Y <- setup$Y

iterations <- function(vals) if (is.null(vals)) 0L else sum(!is.na(vals))
describe <- function(est, seed = 12345, replications = 200) {
  w <- attr(est, "weights"); o <- attr(est, "opts")
  # the paper's vignette (vignettes/paper-results.Rmd) calls set.seed(12345) before each placebo SE
  set.seed(seed)
  se <- sqrt(vcov(est, method = "placebo", replications = replications))[1, 1]
  # placebo_se draws only sample(1:N0) (the refits are deterministic): the same seed replays them
  set.seed(seed)
  perms <- lapply(seq_len(replications), function(r) sample(1:N0))
  # the same stream's first three placebos alone: a check of the refits that runs in seconds
  set.seed(seed)
  se3 <- sqrt(vcov(est, method = "placebo", replications = 3))[1, 1]
  list(estimate = c(est), omega = c(w$omega), lambda = c(w$lambda),
       zeta_omega = o$zeta.omega, zeta_lambda = o$zeta.lambda, min_decrease = o$min.decrease,
       omega_iterations = iterations(w$omega.vals), lambda_iterations = iterations(w$lambda.vals),
       placebo_se = se, placebo_se_3 = se3, placebo_seed = seed, placebo_replications = replications,
       placebo_permutations = perms)
}
estimates <- list(sdid = synthdid_estimate(Y, N0, T0), sc = sc_estimate(Y, N0, T0), did = did_estimate(Y, N0, T0))
out <- list(synthdid_commit = "70c1ce3eac58e28c30b67435ca377bb48baa9b8a", r_version = R.version.string,
            units = rownames(Y), periods = as.integer(colnames(Y)), N0 = N0, T0 = T0,
            noise_level = sd(apply(Y[1:N0, 1:T0], 1, diff)))
for (name in names(estimates)) out[[name]] <- describe(estimates[[name]])

# The jackknife (Algorithm 3) needs two or more treated units (with one, synthdid returns NA):
# a numerical check design, not an empirical claim - California, West Virginia and Wyoming
# "treated" from 1989, the other 36 states the donors.
treated <- c("California", "West Virginia", "Wyoming")
multi <- panel
multi$treated <- as.integer(multi$State %in% treated & multi$Year >= 1989)
ms <- panel.matrices(multi)
jk <- list(units = rownames(ms$Y), N0 = ms$N0, T0 = ms$T0)
for (name in names(estimates)) {
  f <- list(sdid = synthdid_estimate, sc = sc_estimate, did = did_estimate)[[name]]
  e <- f(ms$Y, ms$N0, ms$T0)
  jk[[name]] <- list(estimate = c(e), omega = c(attr(e, "weights")$omega), lambda = c(attr(e, "weights")$lambda),
                     jackknife_se = sqrt(vcov(e, method = "jackknife"))[1, 1])
}
# with one treated unit the jackknife is not defined: synthdid returns NA
jk$one_treated_unit_is_na <- is.na(sqrt(vcov(estimates$sdid, method = "jackknife"))[1, 1])
out$jackknife <- jk
writeLines(json(out), "tests/reference/synthdid.json")
cat(sprintf("%s %.4f (%.4f)\n", names(estimates), sapply(names(estimates), function(n) out[[n]]$estimate),
            sapply(names(estimates), function(n) out[[n]]$placebo_se)))
print(sapply(names(estimates), function(n) jk[[n]]$jackknife_se))
