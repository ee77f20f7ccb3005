# Reference values for Firth's penalised logistic regression (tests/test_sectors.py), with brglm2.
# Run from the repository root:  Rscript tests/reference/firth.R
# Writes tests/reference/firth.json and tests/reference/endometrial.csv.
# R 4.2.2, brglm2 0.9 (Debian: r-cran-brglm2).  type = "AS_mean" is Firth's (1993) adjusted score
# for a logistic model (Kosmidis and Firth 2009); the standard errors are the inverse Fisher
# information at the estimate, as summary() prints them.
# Heinze and Schemper's (2002) profile penalised-likelihood intervals and penalised likelihood-ratio
# tests: brglm2's confint() is Wald (confint.default) and logistf is not in Debian, so they are
# computed here from the definition with a generic optimiser (optim's BFGS, not the Newton
# iteration of src/evaluation/sectors.py): the penalised log-likelihood
# l*(b) = l(b) + 1/2 log det I(b) is maximised over the other coefficients with b_j held at v
# (the penalty is always the full model's); the interval is
# {v : 2 (l*(b^) - l*_j(v)) <= qchisq(level, 1)}, found by uniroot to 1e-12; the test of b_j = 0 is
# 2 (l*(b^) - l*_j(0)) against chi-square(1).
suppressMessages(library(brglm2))
num <- function(x) sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
penalised <- function(b, X, y) {
  eta <- drop(X %*% b); p <- plogis(eta); w <- p * (1 - p)
  sum(y * eta + plogis(-eta, log.p = TRUE)) + 0.5 * as.numeric(determinant(crossprod(X * sqrt(w)))$modulus)
}
gradient <- function(b, X, y) {
  eta <- drop(X %*% b); p <- plogis(eta); w <- p * (1 - p)
  A <- X * sqrt(w); h <- rowSums((A %*% solve(crossprod(A))) * A)
  drop(crossprod(X, y - p + h * (0.5 - p)))
}
profile_at <- function(j, v, X, y, start) {
  free <- setdiff(seq_len(ncol(X)), j)
  full <- function(bf) { b <- numeric(ncol(X)); b[j] <- v; b[free] <- bf; b }
  o <- optim(start[free], function(bf) -penalised(full(bf), X, y), function(bf) -gradient(full(bf), X, y)[free],
             method = "BFGS", control = list(reltol = 1e-16, maxit = 10000))
  -o$value
}
profile_ci <- function(X, y, bhat, se, level = 0.95) {
  lmax <- penalised(bhat, X, y); q <- qchisq(level, 1)
  sapply(seq_len(ncol(X)), function(j) {
    f <- function(v) 2 * (lmax - profile_at(j, v, X, y, bhat)) - q
    end <- function(side) {  # widen the bracket until the profile falls below the cut-off
      k <- 1; while (f(bhat[j] + side * k * se[j]) < 0) k <- k * 1.5
      uniroot(f, sort(c(bhat[j], bhat[j] + side * k * se[j])), tol = 1e-12)$root
    }
    lo <- end(-1); hi <- end(1)
    chisq <- 2 * (lmax - profile_at(j, 0, X, y, bhat))
    c(lower = lo, upper = hi, chisq = chisq, p = pchisq(chisq, 1, lower.tail = FALSE))
  })
}
fit <- function(formula, data) {
  f <- glm(formula, family = binomial, data = data, method = "brglmFit", type = "AS_mean",
           control = brglmControl(epsilon = 1e-12, maxit = 500))
  s <- summary(f)$coefficients
  r <- profile_ci(model.matrix(f), f$y, coef(f), s[, "Std. Error"])
  sprintf(paste0("{\"names\": [%s], \"coef\": %s, \"se\": %s,\n   \"profile\": {\"lower\": %s, \"upper\": %s, ",
                 "\"chisq\": %s, \"p\": %s}}"), paste0("\"", rownames(s), "\"", collapse = ", "),
          vec(s[, "Estimate"]), vec(s[, "Std. Error"]), vec(r["lower", ]), vec(r["upper", ]), vec(r["chisq", ]),
          vec(r["p", ]))
}
# 1. Heinze and Schemper (2002), the endometrial cancer data: NV separates the outcome (every
#    patient with neovasculization has a high grade), so ordinary ML has no finite estimate.
data(endometrial, package = "brglm2")
write.csv(endometrial, "tests/reference/endometrial.csv", row.names = FALSE)
e <- fit(HG ~ NV + PI + EH, endometrial)
# 2. the linked placements of the default dataset (frozen copy), the adjusted comparison's model
d <- read.csv("tests/reference/linked_placements.csv")
d$continued <- as.integer(d$continued == "True")
d$company <- as.integer(d$sector == "company")
d$ltu <- as.integer(d$long_term_unemployed == "True")
d$health <- as.integer(d$health_limitations == "True")
p <- fit(continued ~ company + age_at_entry + ltu + health, d)
cat(sprintf("{\"endometrial\": %s,\n \"placements\": %s}\n", e, p), file = "tests/reference/firth.json")
