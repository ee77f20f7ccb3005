# Reference values for the joint Wald tests of tests/test_survival.py: one test per variable
# (all the dummy columns of a factor together), Holm across the variables.
# Run from the repository root:  Rscript tests/reference/joint_wald.R
# Writes tests/reference/joint_wald.json.  R 4.2.2, survival 3.5-3, cmprsk 2.2-11.
#
# Cox: coxph(ties = "efron"); the Wald statistic of a variable's coefficients b with covariance
# V (vcov(fit)) is b' V^-1 b on length(b) degrees of freedom.  The model with education alone
# is also given with survival's own Wald test of the whole model (fit$wald.test, which summary()
# prints rounded), so the
# statistic is checked against R's code, not only against the formula written out here.
# Fine-Gray: cmprsk::crr, the same quadratic form from crr's sandwich covariance (fit$var).
suppressMessages({library(survival); library(cmprsk)})
source("tests/reference/common.R")

d <- read_clients("tests/reference/dataset/clients.csv")
covs <- model_covariates(d$cl)
X <- model.matrix(~ ., covs)[, -1, drop = FALSE]
variables <- list(long_term_unemployed = "long_term_unemployed", health_limitations = "health_limitations",
                  education_level = grep("^education_level", colnames(X), value = TRUE))

wald <- function(b, V, cols) {
  k <- match(cols, colnames(X))
  stat <- as.numeric(t(b[k]) %*% solve(V[k, k, drop = FALSE]) %*% b[k])
  list(columns = cols, chisq = stat, df = length(k), p = pchisq(stat, length(k), lower.tail = FALSE))
}
tests_of <- function(b, V) {
  out <- lapply(variables, function(cols) wald(b, V, cols))
  holm <- p.adjust(vapply(out, function(t) t$p, 0), method = "holm")
  for (v in names(out)) out[[v]]$p_holm <- unname(holm[v])
  out
}

cox <- coxph(Surv(d$time, d$event == 1) ~ X, ties = "efron")
b <- coef(cox); names(b) <- colnames(X)
V <- vcov(cox); dimnames(V) <- list(colnames(X), colnames(X))
cr <- crr(d$time, d$event, X, failcode = 1, cencode = 0, gtol = 1e-10)
bf <- cr$coef; names(bf) <- colnames(X)
Vf <- cr$var; dimnames(Vf) <- list(colnames(X), colnames(X))

# education alone: survival's Wald test of the model is the joint test of its three columns
E <- X[, variables$education_level, drop = FALSE]
alone <- coxph(Surv(d$time, d$event == 1) ~ E, ties = "efron")
wt <- alone$wald.test

cat(json(list(cox = tests_of(b, V), finegray = tests_of(bf, Vf),
              education_alone = list(chisq = unname(wt), df = ncol(E), p = pchisq(unname(wt), ncol(E), lower.tail = FALSE)))),
    "\n", file = "tests/reference/joint_wald.json")
