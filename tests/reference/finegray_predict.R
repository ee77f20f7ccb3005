# Reference values for the Fine-Gray predictions in tests/test_survival.py: cmprsk::crr and
# predict.crr, on the data and with the bootstrap resamples the Python code is given.
# Run from the repository root:  Rscript tests/reference/finegray_predict.R
# Writes tests/reference/finegray_predict.json.
# R 4.2.2, cmprsk 2.2-11 (Debian: r-base-core r-cran-cmprsk).
suppressMessages(library(cmprsk))
source("tests/reference/common.R")

# the predicted cumulative incidence of cause 1 at `horizon` for each row of `profiles`
predict_at <- function(fit, profiles, horizon) {
  p <- predict.crr(fit, profiles)
  row <- max(which(p[, 1] <= horizon))
  unname(p[row, -1])
}

reference <- function(time, event, X, profiles, horizon, B = 0, seed = 71) {
  fit <- crr(time, event, X, failcode = 1, cencode = 0)
  out <- list(names = colnames(X), coef = unname(fit$coef), cif = predict_at(fit, profiles, horizon))
  if (B > 0) {
    set.seed(seed)
    n <- length(time)
    idx <- replicate(B, sample.int(n, n, replace = TRUE))  # n x B, 1-based
    draws <- matrix(NA_real_, B, nrow(profiles))
    for (b in seq_len(B)) {
      i <- idx[, b]
      f <- tryCatch(crr(time[i], event[i], X[i, , drop = FALSE], failcode = 1, cencode = 0),
                    error = function(e) NULL, warning = function(w) NULL)
      if (!is.null(f) && isTRUE(f$converged) && all(is.finite(f$coef)) && max(abs(f$coef)) <= 50)
        draws[b, ] <- predict_at(f, profiles, horizon)
    }
    ok <- !is.na(draws[, 1])
    out$resamples <- lapply(seq_len(B), function(b) idx[, b] - 1L)  # 0-based for Python
    out$fitted <- ok
    out$draws <- lapply(seq_len(B), function(b) draws[b, ])
    # percentile interval, R's default quantile type 7
    out$lower <- apply(draws[ok, , drop = FALSE], 2, quantile, probs = 0.025, type = 7, names = FALSE)
    out$upper <- apply(draws[ok, , drop = FALSE], 2, quantile, probs = 0.975, type = 7, names = FALSE)
  }
  out
}

# 1. the frozen copy of the default synthetic dataset (as survival.R reads it), 365 days
d <- read_clients("tests/reference/dataset/clients.csv")
time <- d$time
event <- d$event
covs <- model_covariates(d$cl)
X <- model.matrix(~ ., covs)[, -1, drop = FALSE]
# profiles (columns as X): typical (long-term unemployed, no health limitations, upper
# secondary), not long-term unemployed, with health limitations, basic education
profiles <- rbind(typical = c(1, 0, 0, 0, 1), ltu_no = c(0, 0, 0, 0, 1), health_yes = c(1, 1, 0, 0, 1),
                  basic = c(1, 0, 0, 0, 0))
synthetic <- reference(time, event, X, profiles, 365, B = 200)

# 2. mgus2 (survival package; exported by survival.R): progression by 120 months
m <- read.csv("tests/reference/mgus2.csv")
Xm <- cbind(age = m$age, male = as.integer(m$sex == "M"), hgb = m$hgb)
pm <- rbind(c(60, 0, 13), c(60, 1, 13), c(80, 1, 10))
mg <- reference(m$etime, m$event, Xm, pm, 120)

cat(json(list(synthetic = synthetic, mgus2 = mg)), "\n", file = "tests/reference/finegray_predict.json")
