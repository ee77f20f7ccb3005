# Reference values for tests/test_comparison_curves.py: the Aalen-Johansen cumulative incidence
# with case weights, from survival's multi-state survfit, on mgus2 (tests/reference/mgus2.csv:
# time to progression (1) or death (2), censored 0; many tied times).
# Run from the repository root:  Rscript tests/reference/weighted_aj.R
# Writes tests/reference/weighted_aj.json.  R 4.2.2, survival 3.5-3.
suppressMessages(library(survival))
source("tests/reference/common.R")

m <- read.csv("tests/reference/mgus2.csv")
# non-integer weights, written out again in the test: 0.5 + (id mod 7) / 3, and x 2.25 for men
m$w <- (0.5 + (m$id %% 7) / 3) * ifelse(m$sex == "M", 2.25, 1)
fit <- survfit(Surv(etime, factor(event, levels = 0:2)) ~ 1, data = m, weights = w)
ut <- sort(unique(m$etime))
s <- summary(fit, times = ut, extend = TRUE)
# columns of pstate: (s0) still in the initial state, then 1, 2
out <- list(times = s$time, initial = s$pstate[, 1], cif1 = s$pstate[, 2], cif2 = s$pstate[, 3],
            n_risk = s$n.risk[, 1])
# two groups (sex) for a contrast at horizons, each curve weighted
h <- c(30, 60, 120)
g <- lapply(c("F", "M"), function(sx) {
  f <- survfit(Surv(etime, factor(event, levels = 0:2)) ~ 1, data = m[m$sex == sx, ], weights = w)
  sm <- summary(f, times = h, extend = TRUE)
  list(cif1 = sm$pstate[, 2], cif2 = sm$pstate[, 3])
})
names(g) <- c("F", "M")
out$horizons <- h
out$by_sex <- g
writeLines(json(out), "tests/reference/weighted_aj.json")
