# R's timings for `python -m evaluation bench` (src/evaluation/bench.py writes the input CSV).
# Rscript bench.R INPUT.csv REPEAT DO_CRR  ->  one "name seconds" line per estimator (median).
# R's own system.time: start-up and read.csv are not counted.
suppressMessages({library(survival); library(cmprsk)})
a <- commandArgs(TRUE)
d <- read.csv(a[1])
k <- as.integer(a[2])
do_crr <- a[3] == "1"
med <- function(expr) median(replicate(k, system.time(eval(expr))[["elapsed"]]))
X <- as.matrix(d[, setdiff(names(d), c("time", "event", "employed", "group"))])
# cumulative incidence of every outcome with variances (no groups, so no test)
cat(sprintf("cuminc %.6f\n", med(quote(cuminc(d$time, d$event, cencode = 0)))))
# Gray's test needs the estimates by group: cuminc computes both
cat(sprintf("cuminc_gray %.6f\n", med(quote(cuminc(d$time, d$event, group = d$group, cencode = 0)))))
cat(sprintf("survfit_km %.6f\n", med(quote(survfit(Surv(time, employed) ~ 1, data = d, conf.type = "log-log")))))
cat(sprintf("survdiff %.6f\n", med(quote(survdiff(Surv(time, employed) ~ group, data = d)))))
cat(sprintf("coxph %.6f\n", med(quote(coxph(Surv(d$time, d$employed) ~ X, ties = "efron")))))
# crr is quadratic in n (a minute at 10,000 clients): timed once
if (do_crr) cat(sprintf("crr %.6f\n", system.time(crr(d$time, d$event, X, failcode = 1, cencode = 0))[["elapsed"]]))
