# Reference values for tests/test_survival.py, computed with R's survival and cmprsk.
# Run from the repository root:  Rscript tests/reference/survival.R
# Writes tests/reference/survival.json and tests/reference/mgus2.csv.
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11 (Debian: r-base-core r-cran-survival r-cran-cmprsk).
suppressMessages({library(survival); library(cmprsk)})

source("tests/reference/common.R")

horizons <- c(180, 365, 730)

analyse <- function(time, event, groups, covs, horizons) {
  out <- list()
  ut <- sort(unique(time))
  # Aalen-Johansen (exact under ties) and Gray's variance from cmprsk::cuminc
  aj <- survfit(Surv(time, factor(event, levels = 0:max(event))) ~ 1)
  ps <- summary(aj, times = ut, extend = TRUE)$pstate
  ci <- cuminc(time, event, cencode = 0)
  causes <- sort(unique(event[event > 0]))
  cif <- list()
  for (k in causes) {
    tp <- timepoints(ci[paste("1", k)], ut)
    cif[[as.character(k)]] <- list(aj = ps[, k + 1], est = as.numeric(tp$est), var = as.numeric(tp$var))
  }
  out$times <- ut
  out$cif <- cif
  # Kaplan-Meier of cause 1 with the others censored; Greenwood variance, log-log interval
  km <- survfit(Surv(time, event == 1) ~ 1, conf.type = "log-log")
  s <- summary(km, times = ut, extend = TRUE)
  tab <- summary(km)$table
  out$km <- list(surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper, n_risk = s$n.risk,
                 median = unname(tab["median"]), median_lower = unname(tab["0.95LCL"]), median_upper = unname(tab["0.95UCL"]))
  # RMST of the time to any exit, and its standard error as survfit prints it
  any <- survfit(Surv(time, event > 0) ~ 1)
  out$rmst <- lapply(horizons, function(h) { t <- summary(any, rmean = h)$table
    list(horizon = h, rmean = unname(t["rmean"]), se = unname(t["se(rmean)"])) })
  # group comparisons: log-rank (cause-specific) and Gray's test (cause 1)
  out$tests <- list()
  for (g in names(groups)) {
    grp <- groups[[g]]
    ok <- !is.na(grp)
    sd <- survdiff(Surv(time[ok], event[ok] == 1) ~ grp[ok])
    gt <- cuminc(time[ok], event[ok], group = grp[ok], cencode = 0)$Tests
    out$tests[[g]] <- list(logrank_chisq = unname(sd$chisq), logrank_df = length(sd$n) - 1,
                           logrank_p = pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE),
                           gray_stat = unname(gt["1", "stat"]), gray_p = unname(gt["1", "pv"]), gray_df = unname(gt["1", "df"]))
  }
  # cause-specific Cox model (Efron ties) and the proportional-hazards test of survival < 3
  # (scaled Schoenfeld residuals against the KM time transform).  survival 3 replaced that test,
  # so its formula is written out here from coxph's residuals and variance: this checks the Python
  # code's vectorised arithmetic on tied data, not the formula.  The formula itself is checked in
  # tests/test_survival.py against cox.zph output that survival 2.x printed (published examples).
  X <- model.matrix(~ ., covs)[, -1, drop = FALSE]
  fit <- coxph(Surv(time, event == 1) ~ X, ties = "efron")
  sm <- summary(fit)$coefficients
  sres <- resid(fit, type = "schoenfeld")
  if (is.null(dim(sres))) sres <- matrix(sres, ncol = 1)
  dtimes <- as.numeric(rownames(sres))
  kmall <- survfit(Surv(time, event == 1) ~ 1)
  ktimes <- 1 - approx(c(0, kmall$time), c(1, kmall$surv), xout = dtimes, method = "constant", f = 0, rule = 2)$y
  # survival 2.x: the KM transform uses the left-continuous curve at each death time
  ktimes <- 1 - sapply(dtimes, function(t) { i <- sum(kmall$time < t); if (i == 0) 1 else kmall$surv[i] })
  xx <- ktimes - mean(ktimes)
  ndead <- nrow(sres)
  r2 <- sres %*% fit$var * ndead
  test <- colSums(xx * r2)
  z <- test^2 / (diag(fit$var) * ndead * sum(xx^2))
  test_u <- colSums(xx * sres)
  glob <- sum(test_u * (fit$var %*% test_u)) * ndead / sum(xx^2)
  out$cox <- list(names = colnames(X), coef = unname(sm[, "coef"]), se = unname(sm[, "se(coef)"]), p = unname(sm[, "Pr(>|z|)"]),
                  zph_chisq = unname(z), zph_p = pchisq(unname(z), 1, lower.tail = FALSE),
                  zph_global = glob, zph_global_p = pchisq(glob, ncol(X), lower.tail = FALSE))
  # Fine-Gray for cause 1: cmprsk::crr, and survival::finegray + coxph
  cr <- crr(time, event, X, failcode = 1, cencode = 0, gtol = 1e-10)  # crr's default gtol 1e-6 leaves 2e-5 in a coefficient
  fgd <- finegray(Surv(time, factor(event)) ~ ., data = data.frame(time = time, event = event, X, id = seq_along(time)),
                  etype = "1")
  f <- as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", paste(make.names(colnames(X)), collapse = " + ")))
  fge <- coxph(f, data = fgd, weights = fgwt, ties = "efron")
  fgb <- coxph(f, data = fgd, weights = fgwt, ties = "breslow")
  out$finegray <- list(crr_coef = unname(cr$coef), crr_se = unname(sqrt(diag(cr$var))),
                       fg_efron_coef = unname(coef(fge)), fg_breslow_coef = unname(coef(fgb)))
  out
}

# 1. a frozen copy of the default synthetic dataset (tests/reference/dataset/: exits recorded by
#    week, heavy ties); regenerating data/synthetic/ does not change these references
d <- read_clients("tests/reference/dataset/clients.csv")
cl <- d$cl
synthetic <- analyse(d$time, d$event,
  list(long_term_unemployed = cl$long_term_unemployed, age_group = age_groups(cl$age_at_entry), sex = cl$sex,
       health_limitations = cl$health_limitations), model_covariates(cl), horizons)

# 1b. the default dataset as committed (data/synthetic/wassup/, exits recorded on working days):
#     regenerating it (python -m evaluation synthesize) means re-running this script
d <- read_clients("data/synthetic/wassup/clients.csv")
dcl <- d$cl
default <- analyse(d$time, d$event,
  list(long_term_unemployed = dcl$long_term_unemployed, age_group = age_groups(dcl$age_at_entry), sex = dcl$sex,
       health_limitations = dcl$health_limitations), model_covariates(dcl), horizons)

# 2. mgus2 from the survival package (Kyle et al. 2002): progression to plasma cell malignancy
#    (1) versus death (2), months; exported for the Python tests
m <- survival::mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$event <- ifelse(m$pstat == 0, 2 * m$death, 1)
m <- m[!is.na(m$hgb) & !is.na(m$mspike), ]
write.csv(m[, c("id", "age", "sex", "hgb", "mspike", "etime", "event")], "tests/reference/mgus2.csv", row.names = FALSE)
mg <- analyse(m$etime, m$event, list(sex = m$sex), data.frame(age = m$age, male = as.integer(m$sex == "M"), hgb = m$hgb),
              c(60, 120, 240))

cat(json(list(synthetic = synthetic, default = default, mgus2 = mg)), "\n", file = "tests/reference/survival.json")
