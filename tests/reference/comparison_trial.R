# Reference values for tests/test_comparison_study.py: on one emulated trial (the clients who
# enrolled in March 2023 and the spells unemployed on 1 March; tests/reference/comparison_trial.csv,
# written once by `python tests/test_comparison_study.py` from a fixed seed), the propensity score
# (glm), MatchIt's nearest-neighbour matching on the logit of the score exact on the elapsed band
# with a caliper of 0.2 SD and replacement, and the weighted Aalen-Johansen cumulative incidence
# of employment at 365 days (survfit with MatchIt's weights, and with ATT odds weights).
# Run from the repository root:  Rscript tests/reference/comparison_trial.R
# Writes tests/reference/comparison_trial.json.  R 4.2.2, MatchIt 4.5.1, survival 3.5-3.
suppressMessages({library(MatchIt); library(survival)})
source("tests/reference/common.R")

d <- read.csv("tests/reference/comparison_trial.csv", stringsAsFactors = FALSE)
d$band <- factor(d$band, levels = c("0-3", "3-6", "6-12", "12-24", "24+"))
rownames(d) <- as.character(seq_len(nrow(d)))
f <- treated ~ band + age + I(age^2) + sex + health_limitations + education_level + months_employed_3y
ps <- glm(f, data = d, family = binomial())
e <- unname(fitted(ps))
lp <- unname(predict(ps, type = "link"))
out <- list(formula = deparse(f), score = e, logit = lp,
            matchit_version = as.character(packageVersion("MatchIt")))

# The call of the issue.  MatchIt 4.5.1's vector path (distance = "glm") never applies the caliper
# and takes the control below (tests/reference/matchit.R, kosukeimai/MatchIt issue 163): recorded,
# not used as the reference.
vec <- matchit(f, data = d, method = "nearest", distance = "glm", link = "linear.logit",
               exact = ~ band, caliper = 0.2, replace = TRUE)
out$vector_path <- list(matched = sum(!is.na(vec$match.matrix[, 1])))

# The reference: MatchIt's matrix path with the same distance, |logit_i - logit_j|, the treated in
# MatchIt's default order ("largest" first), exact on the band, caliper 0.2 SD of the logit over
# all rows (as std.caliper = TRUE would compute it), with replacement.
ord <- c(which(d$treated == 1)[order(lp[d$treated == 1], decreasing = TRUE)], which(d$treated == 0))
dd <- d[ord, ]
D <- abs(outer(lp[ord][dd$treated == 1], lp[ord][dd$treated == 0], "-"))
cif_at <- function(weights, horizon = 365) {
  k <- weights > 0
  fit <- survfit(Surv(time, factor(status, levels = 0:4)) ~ treated, data = d[k, ], weights = weights[k])
  s <- summary(fit, times = horizon, extend = TRUE)
  # strata treated=0 then treated=1; pstate columns: still unemployed, then causes 1..4
  p <- s$pstate[, 2]
  list(comparison = p[1], treated = p[2], difference = p[2] - p[1])
}
match_case <- function(caliper) {
  m <- matchit(f, data = dd, method = "nearest", distance = D, m.order = "data", exact = ~ band,
               caliper = caliper * sd(lp), std.caliper = FALSE, replace = TRUE)
  mm <- m$match.matrix
  rows1 <- as.integer(rownames(mm))
  num <- as.integer(mm[, 1])
  w <- m$weights[order(ord)]          # back in the CSV's row order
  list(treated_rows = rows1[order(rows1)], match = num[order(rows1)], weights = unname(w),
       matched = sum(!is.na(num)), cif365 = cif_at(w))
}
out$matching <- match_case(0.2)
out$matching_caliper_0.02 <- match_case(0.02)   # a caliper that binds: some clients unmatched
wt <- ifelse(d$treated == 1, 1, e / (1 - e))
out$weighting <- list(weights = wt, cif365 = cif_at(wt))
writeLines(json(out), "tests/reference/comparison_trial.json")
